"""OpenAI itself: Chat Completions as every compatible server, plus the Responses API natively.

    provider = OpenAIProvider(instance("openai"))
    reply = await provider.responses(body)              # ResponsesReply: the `response` object, its usage
    stream = await provider.responses_stream(body)      # OpenAI's own Responses events, forwarded as sent

Only the `openai` provider type has this adapter: other OpenAI-compatible servers (Groq, DeepSeek,
vLLM…) get a Responses request translated to chat, as Claude and Gemini do.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from tollway.errors import UpstreamError
from tollway.providers.base import Usage
from tollway.providers.http_upstream import UpstreamResponse
from tollway.providers.openai_compatible import OpenAICompatibleProvider
from tollway.wire.sse import aiter_events

_ENDINGS = ("response.completed", "response.incomplete")
_EVENT_NAME = re.compile(r"[a-z0-9_.]{1,100}")  # forwarded as our own `event:` line: nothing else may pass


def usage_of(response: Any) -> Usage | None:
    """A Responses `usage` (input/output tokens, cached inside input) as the gateway's Usage."""
    usage = response.get("usage") if isinstance(response, dict) else None
    if not isinstance(usage, dict):
        return None
    try:
        cached = int((usage.get("input_tokens_details") or {}).get("cached_tokens") or 0)
        return Usage(int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0), cached)
    except (TypeError, ValueError, AttributeError):
        return None


@dataclass(frozen=True)
class ResponsesReply:
    body: dict[str, Any]  # the `response` object
    usage: Usage | None


@dataclass(frozen=True)
class ResponsesEvent:
    name: str
    data: str  # forwarded as sent
    parsed: dict[str, Any]


class OpenAIProvider(OpenAICompatibleProvider):
    async def responses(self, body: dict[str, Any]) -> ResponsesReply:
        parsed = await self.post_json("/responses", body | {"stream": False})
        if not isinstance(parsed, dict) or parsed.get("object") != "response":
            raise UpstreamError(f"{self.name} answered without a response")
        return ResponsesReply(parsed, usage_of(parsed))

    async def responses_stream(self, body: dict[str, Any]) -> NativeResponsesStream:
        return NativeResponsesStream(self.name, await self.open_stream("/responses", body | {"stream": True}))


class NativeResponsesStream:
    """OpenAI's Responses events as they come; the usage is read from the final response."""

    def __init__(self, provider: str, response: UpstreamResponse) -> None:
        self._provider = provider
        self._response = response
        self.usage: Usage | None = None

    async def events(self) -> AsyncIterator[ResponsesEvent]:
        async for event in aiter_events(self._response.aiter_bytes()):
            try:
                parsed = event.json()
            except ValueError as exc:
                raise UpstreamError(f"{self._provider} sent an invalid stream event") from exc
            name = event.event or (str(parsed.get("type")) if isinstance(parsed, dict) else "")
            if not isinstance(parsed, dict) or name in ("error", "response.failed") or not _EVENT_NAME.fullmatch(name):
                raise UpstreamError(f"{self._provider} failed mid-stream")
            if name in _ENDINGS:
                self.usage = usage_of(parsed.get("response"))
            yield ResponsesEvent(name, event.data, parsed)

    def prompt_tokens(self) -> int | None:
        return None  # OpenAI reports usage only in the final event

    async def aclose(self) -> None:
        await self._response.aclose()
