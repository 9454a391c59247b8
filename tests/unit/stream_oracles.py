"""Test oracles for streams: the official SDKs' own accumulators, and summaries to compare by.

A stream translation is right when the SDK a client uses, accumulating the translated stream,
arrives at the same answer as the translation of the non-streamed reply.
"""

from __future__ import annotations

import json
from typing import Any

from anthropic.lib.streaming._messages import accumulate_event
from anthropic.types import RawMessageStreamEvent
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk
from pydantic import TypeAdapter

from tollway.wire.sse import SSEDecoder, SSEEvent

_EVENT = TypeAdapter(RawMessageStreamEvent)


def accumulate_chunks(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """What the openai SDK makes of a chunk stream (each chunk is validated on the way)."""
    state = ChatCompletionStreamState()
    for chunk in chunks:
        state.handle_chunk(ChatCompletionChunk.model_validate(chunk))
    return state.current_completion_snapshot.model_dump(exclude_none=True)


def accumulate_events(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """What the anthropic SDK makes of an event stream (each event is validated on the way)."""
    snapshot = None
    buffers: dict[int, bytes] = {}
    for name, data in events:
        assert name == data["type"], "the SSE event name must be the data's type"
        if name == "ping":
            continue
        event = _EVENT.validate_python(data)
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=buffers)
    assert snapshot is not None
    return snapshot.model_dump(exclude_none=True)


def completion_summary(completion: dict[str, Any]) -> dict[str, Any]:
    """The parts of a ChatCompletion a client acts on (content "" and null read the same)."""
    choice = completion["choices"][0]
    message = choice["message"]
    return {"content": message.get("content") or "", "reasoning": message.get("reasoning_content"),
            "tool_calls": [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]),
                            c.get("extra_content")) for c in message.get("tool_calls") or ()],
            "finish_reason": choice["finish_reason"],
            "usage": {k: v for k, v in completion["usage"].items() if k in ("prompt_tokens", "completion_tokens")},
            "cached": (completion["usage"].get("prompt_tokens_details") or {}).get("cached_tokens", 0)}


def message_summary(message: dict[str, Any]) -> dict[str, Any]:
    """The parts of an Anthropic Message a client acts on."""
    blocks = []
    for block in message["content"]:
        fields = {"text": ("text",), "thinking": ("thinking",), "tool_use": ("id", "name", "input")}[block["type"]]
        blocks.append((block["type"], *(block[f] for f in fields)))
    usage = message["usage"]
    return {"content": blocks, "stop_reason": message["stop_reason"],
            "usage": {k: usage.get(k) or 0 for k in ("input_tokens", "output_tokens", "cache_read_input_tokens",
                                                     "cache_creation_input_tokens")}}


def sse_events(data: bytes, cut: int) -> list[SSEEvent]:
    """The events of a byte stream delivered as network chunks of `cut` bytes."""
    decoder = SSEDecoder()
    events = [e for start in range(0, len(data), cut) for e in decoder.feed(data[start:start + cut])]
    return events + decoder.finish()
