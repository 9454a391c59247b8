"""A chat stream from the moment its first event is in hand until it is settled.

    opened = await open_stream(provider, body, remaining_s)   # raises before any byte is sent
    events = relay(opened, spec, meter, prompt_estimate, client_wants_usage)

Opening reads upstream events up to the first one that carries an answer (content, a tool call,
a finish), holding the content-free ones before it (the role chunk): a provider that fails before
answering fails here, with nothing sent, and the request can still fall back to another model.
After that, every event is forwarded as it arrives (never buffered); ledger.stream bounds, checkpoints
and settles it exactly once however it ends.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio

from tollway.catalog import ModelSpec
from tollway.errors import TollwayError, UpstreamError, UpstreamTimeout
from tollway.ledger import Meter, TokenStreamUsage, metered_stream
from tollway.ledger.money import credits_json
from tollway.providers import ChatProvider, ChatStream, Usage
from tollway.providers.base import StreamEvent
from tollway.wire.generated_text import GeneratedText
from tollway.wire.json_codec import utf8_json
from tollway.wire.sse import DONE, encode

S = TypeVar("S")
E = TypeVar("E")


@dataclass
class OpenedStream:
    upstream: ChatStream
    head: list[StreamEvent]  # read while opening, up to and including the first answer
    rest: AsyncIterator[StreamEvent]


def _answers(chunk: dict) -> bool:  # type: ignore[type-arg]
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta") or {}
        if choice.get("finish_reason") or delta.get("content") or delta.get("tool_calls") or \
                delta.get("reasoning_content") or delta.get("refusal"):
            return True
    return bool(chunk.get("usage"))


async def open_stream(provider: ChatProvider, body: dict, remaining_s: float) -> OpenedStream:  # type: ignore[type-arg]
    upstream, head, rest = await open_until_answer(provider.name, lambda: provider.stream(body),
                                                   lambda event: _answers(event.chunk), remaining_s)
    return OpenedStream(upstream, head, rest)


async def open_until_answer(name: str, open_upstream: Callable[[], Awaitable[S]], answers: Callable[[E], bool],
                            remaining_s: float) -> tuple[S, list[E], AsyncIterator[E]]:
    """Open an upstream stream and read it up to its first answering event, within `remaining_s`:
    (the stream, the events read, the iterator of the rest). Any failure closes the stream and is
    a domain error, so the caller can still fall back."""
    try:
        with anyio.fail_after(remaining_s):
            upstream = await open_upstream()
            rest = upstream.events().__aiter__()  # type: ignore[attr-defined]
            head: list[E] = []
            try:
                while not head or not answers(head[-1]):
                    head.append(await rest.__anext__())
            except StopAsyncIteration:
                await upstream.aclose()  # type: ignore[attr-defined]
                raise UpstreamError(f"{name} ended its stream without an answer") from None
            except BaseException:
                await close_quietly(upstream)
                raise
    except TimeoutError:
        raise UpstreamTimeout(f"{name} did not start answering before the request's deadline") from None
    return upstream, head, rest


async def close_quietly(upstream: ChatStream | Any) -> None:
    """Close an upstream stream whatever is happening around us (cancellation included)."""
    with anyio.CancelScope(shield=True):
        await upstream.aclose()


async def _events(opened: OpenedStream) -> AsyncIterator[StreamEvent]:
    for event in opened.head:
        yield event
    async for event in opened.rest:
        yield event


def relay(opened: OpenedStream, spec: ModelSpec, meter: Meter, prompt_estimate: int,
          client_wants_usage: bool) -> AsyncIterator[bytes]:
    """The client's SSE bytes: each upstream event as it arrives, then `[DONE]`; charged by ledger.stream."""
    generated = GeneratedText()
    usage = TokenStreamUsage(spec.cost, prompt_estimate, generated.tokens, opened.upstream.prompt_tokens)

    async def frames() -> AsyncIterator[bytes]:
        async for event in _events(opened):
            chunk = event.chunk
            reported = Usage.from_openai(chunk.get("usage"))
            if reported is not None:
                usage.final = (reported.prompt_tokens, reported.completion_tokens)
            if not chunk.get("choices"):
                # The usage chunk: we always ask for it; the client sees it only if it asked.
                if reported is not None and client_wants_usage:
                    chunk["usage"]["cost"] = credits_json(spec.cost(reported.prompt_tokens,
                                                                    reported.completion_tokens))
                    yield encode(json.dumps(chunk, separators=(",", ":"), ensure_ascii=False))
                continue
            generated.add_chunk(chunk)
            yield b"data: " + utf8_json(event.data) + b"\n\n"
        yield DONE

    def failure(exc: TollwayError) -> bytes:
        return encode({"error": {"message": exc.message, "type": exc.type, "code": exc.code, "param": None}})

    return metered_stream(meter, frames(), usage.bill, close=opened.upstream.aclose, failure_frame=failure)
