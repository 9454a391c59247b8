"""The FastAPI app factory every function starts from.

    app = create_app("chat")
    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response: ...
    handler = lambda_handler(app)

A route that carries most of the traffic is declared with `app.direct_post` instead: the same
route, served without FastAPI's layers in between (see http/direct.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from tollway import __version__
from tollway.http.direct import DirectRoutes, Endpoint
from tollway.http.edge import Edge
from tollway.http.errors import install_error_handlers
from tollway.http.middleware import RequestContext

STARTED = time.monotonic()


class GatewayApp(FastAPI):
    def __init__(self, *args: Any, too_large_hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.direct = DirectRoutes(self.exception_handlers)
        # The same outer layers as every other route: Edge (headers, CORS), then RequestContext.
        self._direct_app = Edge(RequestContext(self.direct, too_large_hint=too_large_hint))

    def direct_post(self, path: str) -> Callable[[Endpoint], Endpoint]:
        """`@app.post(path)` for an endpoint that takes only the Request and returns a Response, with
        POSTs to exactly `path` served straight from it (FastAPI still answers anything else)."""

        def register(endpoint: Endpoint) -> Endpoint:
            self.post(path)(endpoint)
            self.direct.endpoints[path] = endpoint
            return endpoint

        return register

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.direct.serves(scope) and not self.root_path:
            scope["app"] = self
            await self._direct_app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(group: str, *, too_large_hint: str = "") -> GatewayApp:
    """`too_large_hint` is appended to the 413 for bodies over the limit: what to do instead."""
    # No generated docs routes: API Gateway exposes only the routes template.yaml declares anyway.
    app = GatewayApp(title=f"Tollway {group}", version=__version__, docs_url=None, redoc_url=None,
                     openapi_url=None, too_large_hint=too_large_hint)
    install_error_handlers(app)
    app.add_middleware(RequestContext, too_large_hint=too_large_hint)
    app.add_middleware(Edge)  # outermost: security headers and CORS on every answer, 413s included
    return app


def uptime_s() -> float:
    return round(time.monotonic() - STARTED, 3)
