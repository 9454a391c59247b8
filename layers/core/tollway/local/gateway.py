"""One ASGI app that serves every function's routes exactly as template.yaml declares them.

Each function's `app.py` is loaded from its CodeUri (as Lambda would load it) and receives only
the (method, path) pairs its Api events name: a route missing from the template is a 404 here too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from tollway.http.errors import error_body
from tollway.http.middleware import new_request_id
from tollway.local.function_code import load_function_module
from tollway.local.template import Route, Template


def _pattern(path: str) -> re.Pattern[str]:
    """API Gateway path → regex: `{name}` is one segment, `{name+}` the rest of the path."""
    parts = re.split(r"(\{[^}]+\})", path)
    regex = ""
    for part in parts:
        if part.startswith("{") and part.endswith("+}"):
            regex += r"(?P<%s>.+)" % part[1:-2]
        elif part.startswith("{"):
            regex += r"(?P<%s>[^/]+)" % part[1:-1]
        else:
            regex += re.escape(part)
    return re.compile(f"^{regex}$")


def load_function_app(code_uri: Path) -> ASGIApp:
    return load_function_module(code_uri).app  # type: ignore[no-any-return]


class TemplateGateway:
    def __init__(self, template: Template) -> None:
        self.routes: list[tuple[Route, re.Pattern[str], ASGIApp]] = [
            (route, _pattern(route.path), load_function_app(route.code_uri)) for route in template.routes()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        path_matched = False
        for route, pattern, app in self.routes:
            if pattern.match(path):
                path_matched = True
                if route.method in (method, "ANY"):
                    await app(scope, receive, send)
                    return
        status, message = (405, "Method not allowed") if path_matched else (404, f"No route for {method} {path}")
        await _json(send, status, error_body(message, "invalid_request_error",
                                             "method_not_allowed" if path_matched else "not_found"))


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            (b"x-request-id", new_request_id().encode())]})
    await send({"type": "http.response.body", "body": data})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
