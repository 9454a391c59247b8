"""A webhook receiver on loopback that records every delivery (raw body and headers) and answers
with the statuses it is told to, in order (then 200).

    receiver = WebhookReceiver().start()     # receiver.url + "/hooks/<name>" is a webhook_url
    receiver.answers = [500]                 # the first delivery fails, the retry succeeds
    receiver.wait_for(1)                     # the deliveries, polled with a deadline
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.server import AppServer


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver(AppServer):
    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.answers: list[int] = []
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/hooks/{name}", self._receive, methods=["POST"])])


    def for_path(self, name: str) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.path == f"/hooks/{name}"]

    def wait_for(self, name: str, count: int, timeout_s: float = 20.0) -> list[Delivery]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.for_path(name)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.for_path(name)

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self.deliveries.append(Delivery(request.url.path, dict(request.headers), body))
            status = self.answers.pop(0) if self.answers else 200
        return Response(status_code=status)
