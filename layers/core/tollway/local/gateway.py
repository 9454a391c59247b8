"""One ASGI app that serves every function's routes exactly as template.yaml declares them.

Each function's `app.py` is loaded from its CodeUri (as Lambda would load it) and receives only
the (method, path) pairs its Api events name: a route missing from the template is a 404 here too.

The route table comes from the template alone; a function's code is imported when the first
request for one of its routes arrives (as Lambda cold-starts a function on its first invocation),
so start-up and idle memory pay only for the functions that are used. The import runs in a worker
thread, once, however many first requests arrive together; if it fails, those requests get a 500
and the log one line naming the function, and the next request tries again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from tollway.http.edge import Edge
from tollway.http.errors import describe_unexpected, error_json
from tollway.http.middleware import new_request_id
from tollway.local.api_docs import PATHS as DOC_PATHS
from tollway.local.api_docs import ApiDocs
from tollway.local.function_code import load_function_module
from tollway.local.template import Route, Template

log = logging.getLogger("tollway.local")


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


class FunctionApp:
    """A function's ASGI app, imported from its CodeUri on first use (`load_function_module` makes
    concurrent first uses wait for one import)."""

    def __init__(self, function: str, code_uri: Path) -> None:
        self.function = function
        self.code_uri = code_uri
        self.app: ASGIApp | None = None

    def load(self) -> ASGIApp:
        if self.app is None:
            self.app = load_function_app(self.code_uri)
        return self.app

    async def get(self) -> ASGIApp:
        return self.app if self.app is not None else await asyncio.to_thread(self.load)


class TemplateGateway:
    """`client_limit`: facing clients directly (`tollway serve`): answer 429 past the per-client-IP limit
    and bound slow clients (http/client_deadlines.py); deployed, the WAF and API Gateway do both."""

    def __init__(self, template: Template, client_limit: bool = False) -> None:
        functions: dict[Path, FunctionApp] = {}
        self.routes: list[tuple[Route, re.Pattern[str], FunctionApp]] = []
        for route in template.routes():
            function = functions.setdefault(route.code_uri, FunctionApp(route.function, route.code_uri))
            self.routes.append((route, _pattern(route.path), function))
        self.functions = list(functions.values())
        self.docs = ApiDocs(template)
        inner: ASGIApp = self._route
        if client_limit:
            from tollway.config import settings
            from tollway.http.client_deadlines import ClientDeadlines
            from tollway.http.client_limit import ClientLimit

            inner = ClientDeadlines(inner, settings().body_timeout_s, settings().send_timeout_s,
                                    settings().max_body_bytes)
            inner = ClientLimit(inner, settings().ip_rate_limit, settings().ip_rate_window_s)
        # Security headers and CORS on the router's own answers (404, 405, 429) and preflights too.
        self._edge = Edge(inner)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        await self._edge(scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        if path in DOC_PATHS and method in ("GET", "HEAD"):  # the API's description, `tollway serve` only
            await self.docs(scope, receive, send)
            return
        path_matched = False
        for route, pattern, function in self.routes:
            if pattern.match(path):
                path_matched = True
                if route.method in (method, "ANY"):
                    try:
                        app = await function.get()
                    except Exception as exc:  # noqa: BLE001 - one broken function must not stop the others
                        log.error("tollway: %s (%s) failed to load: %s", function.function,
                                  function.code_uri / "app.py", _why(exc))
                        await _json(send, 500, error_json(path, 500, f"The {function.function} function failed "
                                                          "to load; the gateway's log says why", "api_error",
                                                          "function_unavailable"))
                        return
                    await app(scope, receive, send)
                    return
        status, message = (405, "Method not allowed") if path_matched else (404, f"No route for {method} {path}")
        await _json(send, status, error_json(path, status, message, "invalid_request_error",
                                             "method_not_allowed" if path_matched else "not_found"))


def _why(exc: Exception) -> str:
    """An import's own message names a module or a line, never request data; other errors' may not."""
    if isinstance(exc, (ImportError, SyntaxError)):
        return f"{type(exc).__name__}: {exc}"
    return describe_unexpected(exc)


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
