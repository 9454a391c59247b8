"""The small protocols chat providers implement, and the result types they return.

`ChatProvider` bodies are OpenAI Chat Completions JSON on both sides of the boundary: an adapter
for a provider with another wire format translates inside the adapter, so routing never branches
on a provider. A provider whose own format is Anthropic's Messages also implements
`MessagesProvider`, so /v1/messages reaches it untranslated (nothing lost: cache_control, thinking
signatures, server tools, betas).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0  # all of the input, cached tokens included
    completion_tokens: int = 0
    cached_tokens: int = 0  # of prompt_tokens, read from the provider's prompt cache

    @classmethod
    def from_openai(cls, usage: Any) -> Usage | None:
        if not isinstance(usage, dict):
            return None
        details = usage.get("prompt_tokens_details")
        try:
            return cls(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0),
                       int((details or {}).get("cached_tokens") or 0) if isinstance(details, dict) else 0)
        except (TypeError, ValueError):
            return None

    @classmethod
    def from_anthropic(cls, usage: Any) -> Usage | None:
        """Anthropic counts cache reads and writes apart from input_tokens; OpenAI's prompt includes them."""
        if not isinstance(usage, dict):
            return None
        try:
            read = int(usage.get("cache_read_input_tokens") or 0)
            prompt = int(usage.get("input_tokens") or 0) + read + int(usage.get("cache_creation_input_tokens") or 0)
            return cls(prompt, int(usage.get("output_tokens") or 0), read)
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

    def prompt_tokens(self) -> int | None:
        """The input tokens the provider reported so far (Anthropic and Gemini report them at the
        start of a stream, OpenAI only at its end): what a stream cut short is charged for its prompt."""
        ...

    async def aclose(self) -> None: ...


class ChatProvider(Protocol):
    name: str
    token_limit_param: str  # the body field that caps completion tokens on this upstream

    def configured(self) -> bool: ...

    async def chat(self, body: dict[str, Any]) -> ChatReply: ...

    async def stream(self, body: dict[str, Any]) -> ChatStream: ...


@dataclass(frozen=True)
class MessagesReply:
    body: dict[str, Any]  # an Anthropic Message
    usage: Usage | None


@dataclass(frozen=True)
class MessagesEvent:
    """One event of an Anthropic message stream: its name, raw data (forwarded as is) and parsed data."""

    name: str
    data: str
    parsed: dict[str, Any]


class MessagesStream(Protocol):
    usage: Usage | None  # final once the stream has ended

    def events(self) -> AsyncIterator[MessagesEvent]: ...

    def prompt_tokens(self) -> int | None: ...

    async def aclose(self) -> None: ...


class MessagesProvider(Protocol):
    """Speaks Anthropic's Messages API natively (the Anthropic adapter)."""

    async def messages(self, body: dict[str, Any], beta: str | None) -> MessagesReply: ...

    async def messages_stream(self, body: dict[str, Any], beta: str | None) -> MessagesStream: ...

    async def count_tokens(self, body: dict[str, Any], beta: str | None) -> dict[str, Any]: ...
