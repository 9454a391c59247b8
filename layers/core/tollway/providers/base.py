"""The small protocol every chat provider implements, and the result types it returns.

Bodies are OpenAI Chat Completions JSON on both sides of this boundary: an adapter for a provider
with another wire format translates inside the adapter, so routing never branches on a provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @classmethod
    def from_openai(cls, usage: Any) -> Usage | None:
        if not isinstance(usage, dict):
            return None
        try:
            return cls(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class ChatReply:
    body: dict[str, Any]
    usage: Usage | None


@dataclass(frozen=True)
class StreamEvent:
    """One upstream event: the raw `data` text (forwarded as is) and its parsed chunk."""

    data: str
    chunk: dict[str, Any]


class ChatStream(Protocol):
    """An open upstream stream: the status was 200, no event has been read yet."""

    def events(self) -> AsyncIterator[StreamEvent]: ...

    async def aclose(self) -> None: ...


class ChatProvider(Protocol):
    name: str
    token_limit_param: str  # the body field that caps completion tokens on this upstream

    def configured(self) -> bool: ...

    async def chat(self, body: dict[str, Any]) -> ChatReply: ...

    async def stream(self, body: dict[str, Any]) -> ChatStream: ...
