"""An upstream SSE stream in another wire format, read as OpenAI chat chunks.

    stream = TranslatedChatStream("anthropic", response,
                                  lambda event: translator.feed(event.event, event.json()), translator.finish)

Each upstream event goes through the translator as it arrives (no buffering); a stream that
breaks, or sends something that is not JSON, becomes a domain error the relay turns into the
client's error event.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from tollway.errors import UpstreamError
from tollway.providers.base import StreamEvent
from tollway.providers.upstream_response import UpstreamResponse
from tollway.wire.sse import SSEEvent, aiter_events

Chunk = dict[str, Any]


class TranslatedChatStream:
    def __init__(self, provider: str, response: UpstreamResponse, feed: Callable[[SSEEvent], list[Chunk]],
                 finish: Callable[[], list[Chunk]], usage: Callable[[], dict[str, Any]] | None = None) -> None:
        self._provider = provider
        self._response = response
        self._feed = feed
        self._finish = finish
        self._usage = usage  # the translator's OpenAI usage so far

    def prompt_tokens(self) -> int | None:
        prompt = self._usage().get("prompt_tokens") if self._usage is not None else None
        return prompt if isinstance(prompt, int) and prompt > 0 else None

    async def events(self) -> AsyncIterator[StreamEvent]:
        # A broken connection raises the domain error (UpstreamResponse maps it).
        async for event in aiter_events(self._response.aiter_bytes()):
            try:
                chunks = self._feed(event)
            except ValueError as exc:  # json.JSONDecodeError included
                raise UpstreamError(f"{self._provider} sent an invalid stream event") from exc
            for chunk in chunks:
                yield _event(chunk)
        for chunk in self._finish():
            yield _event(chunk)

    async def aclose(self) -> None:
        await self._response.aclose()


def _event(chunk: Chunk) -> StreamEvent:
    return StreamEvent(json.dumps(chunk, separators=(",", ":"), ensure_ascii=False), chunk)
