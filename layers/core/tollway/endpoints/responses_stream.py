"""A Responses event stream for /v1/responses, from OpenAI's own stream or a translated chat stream.

    opened = await open_native(provider, name, body, remaining_s)     # OpenAI: its events as sent
    opened = translated_responses(await open_stream(provider, chat_body, remaining_s), raw, model)
    events = relay_responses(opened, spec, meter, estimate)            # SSE bytes, settled once

As for chat and messages, opening holds the content-free events (response.created, in_progress,
item and part starts) until the first that carries an answer, so a provider failing before that can
still fall back; after that every event goes out as it arrives. The final response carries the
usage and its cost in credits (`usage.cost`, as chat's usage chunk does). A failure mid-stream ends
the stream with Responses' `error` event; ledger.stream charges it (the rules are in TokenStreamUsage).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from tollway.catalog import ModelSpec
from tollway.endpoints.chat_stream import OpenedStream, open_until_answer
from tollway.endpoints.event_frames import EventSource, NativeEvents, TranslatedEvents
from tollway.errors import TollwayError
from tollway.ledger import Meter, TokenStreamUsage, metered_stream
from tollway.ledger.money import credits_json
from tollway.providers.openai_responses import OpenAIProvider, ResponsesEvent
from tollway.wire.generated_text import GeneratedText
from tollway.wire.sse import encode_event
from tollway.wire.translate.completion_to_response import ChunksToResponseEvents

_ANSWERING = ("response.output_text.delta", "response.function_call_arguments.delta", "response.refusal.delta",
              "response.output_item.done", "response.completed", "response.incomplete")
_FINAL = ("response.completed", "response.incomplete")

ResponsesSource = EventSource  # what relay_* reads: the provider's own events, or translated ones


async def open_native(provider: OpenAIProvider, name: str, body: dict[str, Any], remaining_s: float) -> NativeEvents:
    def answers(event: ResponsesEvent) -> bool:
        return event.name in _ANSWERING

    upstream, head, rest = await open_until_answer(name, lambda: provider.responses_stream(body), answers,
                                                   remaining_s)
    return NativeEvents(upstream, head, rest)


def translated_responses(opened: OpenedStream, raw: dict[str, Any], model: str) -> TranslatedEvents:
    """OpenAI chat chunks (already opened, see chat_stream.open_stream) as Responses events."""
    return TranslatedEvents(opened, ChunksToResponseEvents(raw, model))


def _count(generated: GeneratedText, name: str, parsed: dict[str, Any]) -> None:
    if name in ("response.output_text.delta", "response.function_call_arguments.delta", "response.refusal.delta",
                "response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
        generated.add(parsed.get("delta"))
    elif name == "response.output_item.added":
        item = parsed.get("item")
        generated.add(item.get("name") if isinstance(item, dict) else None)


def relay_responses(source: ResponsesSource, spec: ModelSpec, meter: Meter, input_estimate: int) -> AsyncIterator[bytes]:
    """The client's SSE events as they arrive; charged by ledger.stream (an `error` event on failure)."""
    generated = GeneratedText()
    usage = TokenStreamUsage(spec.cost, input_estimate, generated.tokens, source.prompt_tokens)
    sequence = {"next": 0}

    async def frames() -> AsyncIterator[bytes]:
        async for name, data, parsed in source.frames():
            _count(generated, name, parsed)
            if isinstance(parsed.get("sequence_number"), int):
                sequence["next"] = parsed["sequence_number"] + 1
            if name in _FINAL:
                final = source.usage()
                if final is not None:
                    usage.final = (final.prompt_tokens, final.completion_tokens)
                    response = parsed.get("response")
                    if isinstance(response, dict) and isinstance(response.get("usage"), dict):
                        response["usage"]["cost"] = credits_json(spec.cost(*usage.final))
                        data = json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)
            yield encode_event(name, data)

    def failure(exc: TollwayError) -> bytes:
        return encode_event("error", {"type": "error", "sequence_number": sequence["next"], "code": exc.code,
                                      "message": exc.message, "param": None})

    return metered_stream(meter, frames(), usage.bill, close=source.aclose, failure_frame=failure)
