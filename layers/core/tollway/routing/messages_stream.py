"""An Anthropic message stream for /v1/messages, from a native Claude stream or a translated one.

    opened = await open_native(provider, body, beta, remaining_s)      # claude-*: Anthropic's own events
    opened = TranslatedMessages(await open_stream(provider, chat_body, remaining_s), model, estimate, thinking)
    events = relay_messages(opened, spec, meter)                        # SSE bytes, settled once

Like chat streams, opening holds the content-free events (message_start, ping, block starts) until
the first one that carries an answer, so a provider failing before that can still fall back; after
that every event goes out as it arrives. A failure mid-stream ends it with Anthropic's `error`
event, and the key pays only for what was delivered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

import anyio

from tollway.catalog import ModelSpec
from tollway.errors import TollwayError
from tollway.providers import Usage
from tollway.providers.base import MessagesEvent, MessagesProvider, MessagesStream
from tollway.routing.chat_stream import OpenedStream, open_until_answer
from tollway.routing.metered import Meter
from tollway.wire.anthropic_messages import error_body
from tollway.wire.sse import encode_event
from tollway.wire.translate import ChunksToMessageEvents

_ANSWERING = ("content_block_delta", "message_delta", "message_stop")


class MessagesSource(Protocol):
    def frames(self) -> AsyncIterator[tuple[str, str | dict[str, Any]]]: ...

    def usage(self) -> Usage | None: ...

    async def aclose(self) -> None: ...


@dataclass
class NativeMessages:
    upstream: MessagesStream
    head: list[MessagesEvent]
    rest: AsyncIterator[MessagesEvent]

    async def frames(self) -> AsyncIterator[tuple[str, str | dict[str, Any]]]:
        for event in self.head:
            yield event.name, event.data
        async for event in self.rest:
            yield event.name, event.data

    def usage(self) -> Usage | None:
        return self.upstream.usage

    async def aclose(self) -> None:
        await self.upstream.aclose()


async def open_native(provider: MessagesProvider, name: str, body: dict[str, Any], beta: str | None,
                      remaining_s: float) -> NativeMessages:
    upstream, head, rest = await open_until_answer(name, lambda: provider.messages_stream(body, beta),
                                                   lambda event: event.name in _ANSWERING, remaining_s)
    return NativeMessages(upstream, head, rest)


class TranslatedMessages:
    """OpenAI chat chunks (already opened, see chat_stream.open_stream) as Anthropic events."""

    def __init__(self, opened: OpenedStream, model: str, input_estimate: int, thinking: bool) -> None:
        self._opened = opened
        self._estimate = input_estimate
        self._translator = ChunksToMessageEvents(model=model, input_tokens=input_estimate, thinking=thinking)

    async def frames(self) -> AsyncIterator[tuple[str, str | dict[str, Any]]]:
        for event in self._opened.head:
            for frame in self._translator.feed(event.chunk):
                yield frame
        async for event in self._opened.rest:
            for frame in self._translator.feed(event.chunk):
                yield frame
        for frame in self._translator.finish():
            yield frame

    def usage(self) -> Usage | None:
        reported = Usage.from_openai(self._translator.openai_usage)
        if reported is not None:
            return reported
        return Usage(self._estimate, int(self._translator.usage.get("output_tokens") or 0))

    async def aclose(self) -> None:
        await self._opened.upstream.aclose()


async def relay_messages(source: MessagesSource, spec: ModelSpec, meter: Meter, input_estimate: int
                         ) -> AsyncIterator[bytes]:
    delivered = 0
    outcome: TollwayError | None = None
    finished = False
    try:
        try:
            async for name, data in source.frames():
                if name == "content_block_delta":
                    delivered += 1  # about one token per delta, for an abnormal end
                yield encode_event(name, data)
        except TollwayError as exc:
            outcome = exc
            finished = True
            yield encode_event("error", error_body(exc, meter.record.request_id))
            return
        finished = True
    finally:
        with anyio.CancelScope(shield=True):
            await source.aclose()
            if outcome is None and finished:
                final = source.usage() or Usage(input_estimate, delivered)
                await meter.settle(spec.cost(final.prompt_tokens, final.completion_tokens),
                                   prompt_tokens=final.prompt_tokens, completion_tokens=final.completion_tokens)
            else:
                status, http_status, code = (("upstream_error", outcome.status, outcome.code) if outcome
                                             else ("client_disconnected", 499, "client_disconnected"))
                await meter.refund(status, http_status, code, completion_tokens=delivered,
                                   charge=spec.cost(0, delivered))
