"""The few routes that carry nearly all traffic, served straight from their endpoints.

    @app.direct_post("/v1/chat/completions")          # see http/app.py: GatewayApp
    async def create_chat_completion(request: Request) -> Response: ...

FastAPI wraps every request in a stack of layers — its error and telemetry middleware, a body-limit
middleware, the exception middleware, an exit stack, the router, the dependency solver — which
together cost more CPU than the rest of a relayed call. An endpoint that takes only the Request and
returns a Response needs none of them: here it gets the Request, its Response is sent, and an
exception is answered by the app's own exception handlers exactly as Starlette's exception
middleware would (same lookup, same refusal once the response has started). Anything else
(another method, a trailing slash, a path with a root_path) goes through FastAPI as before, and
our RequestContext (request id, body limit, the request's log line) wraps both.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]


class DirectRoutes:
    def __init__(self, exception_handlers: dict[Any, Callable[..., Any]]) -> None:
        self.exception_handlers = exception_handlers  # the app's own dict: handlers added later count too
        self.endpoints: dict[str, Endpoint] = {}

    def serves(self, scope: Scope) -> bool:
        return (scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in self.endpoints
                and not scope.get("root_path"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        started = False

        async def sender(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            response = await self.endpoints[scope["path"]](request)
            await response(scope, receive, sender)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None:
                raise
            if started:
                raise RuntimeError("Caught handled exception, but response already started.") from exc
            if _is_async(handler):
                answer = await handler(request, exc)
            else:
                answer = await anyio.to_thread.run_sync(handler, request, exc)
            if answer is not None:
                await answer(scope, receive, sender)
            exc.__traceback__ = None  # a reused exception instance would pile up tracebacks

    def _handler(self, exc: Exception) -> Callable[..., Any] | None:
        """Starlette's lookup: an HTTPException's status first, then the exception's classes in order.
        A handler for 500 or Exception is the server-error middleware's, not the exception
        middleware's: it does not answer here either (RequestContext logs and answers the 500)."""
        handlers = self.exception_handlers
        if isinstance(exc, HTTPException) and exc.status_code != 500 and exc.status_code in handlers:
            return handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls is Exception:
                return None
            if cls in handlers:
                return handlers[cls]
        return None


def _is_async(handler: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(getattr(handler, "__call__", None))  # noqa: B004 (an object whose __call__ is async)
