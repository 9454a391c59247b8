"""`tollway serve`'s global safety net, the same as the deployed WAF rule: at most `limit` requests per
`window_s` from one client IP (5,000 per 10 minutes by default), then 429 with `Retry-After`.

    app = ClientLimit(app, limit=5000, window_s=600)      # pure ASGI, in memory, per process

A sliding window, counted the way rate limiters at the edge count it: the requests of the current
fixed window plus those of the previous one weighted by how much of it still overlaps the trailing
window (two counters per address, not a timestamp per request). `Retry-After` is when that count
first drops below the limit again. The client is the socket's peer (uvicorn replaces it with
`X-Forwarded-For` only for a proxy on loopback): a header a client sends itself never picks its
bucket. Addresses idle for two windows are forgotten.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from tollway.http.errors import error_json
from tollway.http.middleware import new_request_id

PRUNE_EVERY = 10_000  # requests between sweeps of idle addresses


@dataclass
class Window:
    start: float  # of the current fixed window (a multiple of window_s)
    current: int = 0
    previous: int = 0


class SlidingWindows:
    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self.windows: dict[str, Window] = {}
        self._seen = 0

    def _window(self, client: str, now: float) -> Window:
        start = now - now % self.window_s
        window = self.windows.get(client)
        if window is None:
            window = self.windows[client] = Window(start)
        elif window.start < start:
            window.previous = window.current if start - window.start == self.window_s else 0
            window.current, window.start = 0, start
        return window

    def admit(self, client: str) -> float:
        """0 if this request is admitted (and counted), else the seconds until one would be."""
        now = self.clock()
        self._seen += 1
        if self._seen % PRUNE_EVERY == 0:
            self._prune(now)
        window = self._window(client, now)
        elapsed = now - window.start
        weighted = window.previous * (1 - elapsed / self.window_s) + window.current
        if weighted + 1 <= self.limit:
            window.current += 1
            return 0.0
        return self._wait(window, elapsed)

    def _wait(self, window: Window, elapsed: float) -> float:
        room = self.limit - 1  # what the weighted count must fall to
        if window.current <= room:
            # The previous window's share fades within this one.
            return max(0.0, self.window_s * (1 - (room - window.current) / window.previous) - elapsed)
        # Only after this window becomes the previous one and fades enough.
        return self.window_s - elapsed + self.window_s * (1 - room / window.current)

    def _prune(self, now: float) -> None:
        stale = now - 2 * self.window_s
        for client in [c for c, w in self.windows.items() if w.start <= stale]:
            del self.windows[client]


class ClientLimit:
    def __init__(self, app: ASGIApp, limit: int, window_s: float) -> None:
        self.app = app
        self.windows = SlidingWindows(limit, window_s) if limit > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.windows is None:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.windows.admit(client[0] if client else "unknown")
        if not wait:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        windows = self.windows
        message = (f"Too many requests from this address: at most {windows.limit} every {windows.window_s:g} s. "
                   f"Retry after {retry_after} s")
        body = json.dumps(error_json(str(scope.get("path", "")), 429, message, "rate_limit_error",
                                     "rate_limit_exceeded")).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()), (b"x-request-id", new_request_id().encode())]})
        await send({"type": "http.response.body", "body": body})
