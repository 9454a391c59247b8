"""An Anthropic message stream for /v1/messages, from a native Claude stream or a translated one.

    opened = await open_native(provider, body, beta, remaining_s)      # claude-*: Anthropic's own events
    opened = translated_messages(await open_stream(provider, chat_body, remaining_s), model, estimate, thinking)
    events = relay_messages(opened, spec, meter)                        # SSE bytes, settled once

Like chat streams, opening holds the content-free events (message_start, ping, block starts) until
the first one that carries an answer, so a provider failing before that can still fall back; after
that every event goes out as it arrives. A failure mid-stream ends it with Anthropic's `error`
event; ledger.stream charges it (the rules are in TokenStreamUsage).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tollway.catalog import ModelSpec
from tollway.endpoints.chat_stream import OpenedStream, open_until_answer
from tollway.endpoints.event_frames import EventSource, NativeEvents, TranslatedEvents
from tollway.errors import TollwayError
from tollway.ledger import Meter, TokenStreamUsage, metered_stream
from tollway.providers.base import MessagesProvider
from tollway.wire.anthropic_messages import error_body
from tollway.wire.generated_text import GeneratedText
from tollway.wire.sse import encode_event
from tollway.wire.translate import ChunksToMessageEvents

_ANSWERING = ("content_block_delta", "message_delta", "message_stop")


MessagesSource = EventSource  # what relay_* reads: the provider's own events, or translated ones


async def open_native(provider: MessagesProvider, name: str, body: dict[str, Any], beta: str | None,
                      remaining_s: float) -> NativeEvents:
    upstream, head, rest = await open_until_answer(name, lambda: provider.messages_stream(body, beta),
                                                   lambda event: event.name in _ANSWERING, remaining_s)
    return NativeEvents(upstream, head, rest)


def translated_messages(opened: OpenedStream, model: str, input_estimate: int, thinking: bool) -> TranslatedEvents:
    """OpenAI chat chunks (already opened, see chat_stream.open_stream) as Anthropic events."""
    return TranslatedEvents(opened, ChunksToMessageEvents(model=model, input_tokens=input_estimate, thinking=thinking))


def relay_messages(source: MessagesSource, spec: ModelSpec, meter: Meter, input_estimate: int
                   ) -> AsyncIterator[bytes]:
    """The client's SSE events as they arrive; charged by ledger.stream (an `error` event on failure)."""
    generated = GeneratedText()
    usage = TokenStreamUsage(spec.cost, input_estimate, generated.tokens, source.prompt_tokens)

    async def frames() -> AsyncIterator[bytes]:
        async for name, data, parsed in source.frames():
            generated.add_message_event(name, parsed)
            yield encode_event(name, data)
        final = source.usage()
        if final is not None:
            usage.final = (final.prompt_tokens, final.completion_tokens)

    def failure(exc: TollwayError) -> bytes:
        return encode_event("error", error_body(exc, meter.record.request_id))

    return metered_stream(meter, frames(), usage.bill, close=source.aclose, failure_frame=failure)
