"""Response helpers: JSON written by orjson, and streamed responses (SSE or bytes) that always close
(and so settle) their stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import orjson
from starlette.responses import JSONResponse, StreamingResponse
from starlette.types import Receive, Scope, Send

from tollway.http.disconnect import race_disconnect
from tollway.wire.json_codec import dumps

SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


class FastJSONResponse(JSONResponse):
    """JSONResponse at orjson's speed: the same compact UTF-8 JSON (numbers may be spelled
    differently, e.g. 2e-05 as 0.00002). What orjson cannot write (an integer beyond 64 bits, a lone
    surrogate) goes to json_codec.dumps, which writes both."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError
            return dumps(content)


class ClosingStreamingResponse(StreamingResponse):
    """Streams bytes as they are produced. However the response ends (finished, client gone, task
    cancelled), the body iterator is closed at once so its clean-up (settlement) runs now, not
    whenever the garbage collector finds the generator."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        spec = scope.get("asgi", {}).get("spec_version", "2.0")
        if scope["type"] != "http" or tuple(map(int, spec.split("."))) >= (2, 4):
            await super().__call__(scope, receive, send)
            return
        # What StreamingResponse does before ASGI 2.4 (a send to a gone client raises nothing there,
        # so the stream stops when the disconnect is received), with a watcher, not a task group.
        await race_disconnect(receive, lambda: self.stream_response(send))
        if self.background is not None:
            await self.background()

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            close = getattr(self.body_iterator, "aclose", None)
            if close is not None:
                with anyio.CancelScope(shield=True):
                    await close()


class EventStreamResponse(ClosingStreamingResponse):
    media_type = "text/event-stream"

    def __init__(self, events: AsyncIterator[bytes], headers: dict[str, str]) -> None:
        super().__init__(events, headers=SSE_HEADERS | headers)
