"""Deadlines for clients that are slow on purpose, for `tollway serve` (deployed, API Gateway does this:
it takes the whole body before Lambda runs and owns the client's connection).

    app = ClientDeadlines(app, body_timeout_s=30, send_timeout_s=30)     # pure ASGI

- The request's whole body is read before the app sees it, within `body_timeout_s` of the first
  read: a body dripped a byte a second gets a 408 and the connection is closed, instead of holding a
  worker's attention (and a slot of memory) for as long as the client likes. A body past the size
  limit stops being buffered there: the app then answers its 413 as before.
- A response the client does not take for `send_timeout_s` (its socket full, nothing read) is
  abandoned: the app is told the client has gone (`http.disconnect`, as when it hangs up — so a
  stream stops its upstream and is charged for what was sent) and the connection is closed.
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tollway.http.errors import error_json
from tollway.http.middleware import new_request_id

log = logging.getLogger("tollway.http")
DISCONNECT: Message = {"type": "http.disconnect"}


class ClientDeadlines:
    def __init__(self, app: ASGIApp, body_timeout_s: float, send_timeout_s: float, max_body_bytes: int) -> None:
        self.app = app
        self.body_timeout_s = body_timeout_s
        self.send_timeout_s = send_timeout_s
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _declared_length(scope) > self.max_body_bytes:
            await self.app(scope, receive, send)  # too large as declared: the app's 413 needs no body
            return
        try:
            first = await self._whole_body(receive)
        except TimeoutError:
            log.warning("a client sent its body too slowly: answered 408 after %.0f s", self.body_timeout_s)
            await _timeout(send, scope["path"], self.body_timeout_s)
            return
        if first is None:  # the client left before its body was in
            return
        gone = asyncio.Event()

        async def replayed() -> Message:
            nonlocal first
            if first is not None:
                message, first = first, None
                return message
            if gone.is_set():
                return DISCONNECT
            waiting = asyncio.ensure_future(receive())
            stalled = asyncio.ensure_future(gone.wait())
            try:
                await asyncio.wait((waiting, stalled), return_when=asyncio.FIRST_COMPLETED)
            finally:  # however this ends (the caller's watcher is cancelled at the end of every stream)
                stalled.cancel()
                if not waiting.done():
                    waiting.cancel()
            return waiting.result() if not waiting.cancelled() else DISCONNECT

        async def bounded_send(message: Message) -> None:
            if gone.is_set():
                # Abandoned: nothing more reaches a client that reads nothing. Yield, so the task
                # watching for the disconnect runs and stops the stream (a send that never waits would
                # let a fast producer hold the event loop to the end of its answer).
                await asyncio.sleep(0)
                return
            try:
                async with asyncio.timeout(self.send_timeout_s):
                    await send(message)
            except TimeoutError:
                log.warning("a client read nothing for %.0f s: its response is abandoned", self.send_timeout_s)
                gone.set()

        await self.app(scope, replayed, bounded_send)

    async def _whole_body(self, receive: Receive) -> Message | None:
        """One `http.request` message with the whole body (or as much as the limit, the rest left to
        the app to find too large), None when the client disconnected first."""
        chunks: list[bytes] = []
        size = 0
        deadline = asyncio.get_running_loop().time() + self.body_timeout_s
        while True:
            async with asyncio.timeout_at(deadline):
                message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = bool(message.get("more_body"))
            if not more or size > self.max_body_bytes:
                return {"type": "http.request", "body": b"".join(chunks), "more_body": more}


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _timeout(send: Send, path: str, timeout_s: float) -> None:
    body = json.dumps(error_json(path, 408, f"The request body did not arrive within {timeout_s:.0f} s; send it "
                                 "at network speed", "invalid_request_error", "body_timeout")).encode()
    await send({"type": "http.response.start", "status": 408,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), (b"x-request-id", new_request_id().encode())]})
    await send({"type": "http.response.body", "body": body})
