"""The FastAPI app factory every function starts from.

    app = create_app("chat")
    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response: ...
    handler = lambda_handler(app)
"""

from __future__ import annotations

import time

from fastapi import FastAPI

from tollway import __version__
from tollway.http.edge import Edge
from tollway.http.errors import install_error_handlers
from tollway.http.middleware import RequestContext

STARTED = time.monotonic()


def create_app(group: str, *, too_large_hint: str = "") -> FastAPI:
    """`too_large_hint` is appended to the 413 for bodies over the limit: what to do instead."""
    # No generated docs routes: API Gateway exposes only the routes template.yaml declares anyway.
    app = FastAPI(title=f"Tollway {group}", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None)
    install_error_handlers(app)
    app.add_middleware(RequestContext, too_large_hint=too_large_hint)
    app.add_middleware(Edge)  # outermost: security headers and CORS on every answer, 413s included
    return app


def uptime_s() -> float:
    return round(time.monotonic() - STARTED, 3)
