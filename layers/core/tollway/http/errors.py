"""Domain errors → HTTP responses, in one place. The body's shape is the surface's, by path:

    {"error": {"message": "...", "type": "invalid_request_error", "code": "...", "param": null}}  # /v1
    {"type": "error", "error": {"type": "invalid_request_error", "message": "..."}}            # /v1/messages
    {"success": false, "error": {"code": "BAD_REQUEST", "message": "..."}}                      # /api/v1/inference
"""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tollway.errors import TollwayError

log = logging.getLogger("tollway.http")

_HTTP_TYPES = {404: ("not_found", "invalid_request_error"), 405: ("method_not_allowed", "invalid_request_error")}


def error_body(message: str, type_: str, code: str | None, param: str | None = None) -> dict[str, object]:
    return {"error": {"message": message, "type": type_, "code": code, "param": param}}


def speaks_anthropic(path: str) -> bool:
    """Routes whose clients are Anthropic SDKs, so errors must be in Anthropic's shape."""
    return path == "/v1/messages" or path.startswith("/v1/messages/")


INFERENCE_PREFIX = "/api/v1/inference"


def speaks_envelope(path: str) -> bool:
    """The native Inference API: every answer in `{"success", "data" | "error"}`."""
    return path == INFERENCE_PREFIX or path.startswith(INFERENCE_PREFIX + "/")


def error_json(path: str, status: int, message: str, type_: str, code: str | None,
               param: str | None = None) -> dict[str, object]:
    """The error body in the shape the route's clients parse: the envelope, Anthropic's or OpenAI's."""
    if speaks_envelope(path):
        from tollway.wire.inference import envelope_error

        return envelope_error(status, code, message)
    if speaks_anthropic(path):
        from tollway.wire.anthropic_messages import error_type_for

        return {"type": "error", "error": {"type": error_type_for(status), "message": message}}
    return error_body(message, type_, code, param)


def error_response(exc: TollwayError, path: str = "") -> JSONResponse:
    return JSONResponse(error_json(path, exc.status, exc.message, exc.type, exc.code, exc.param),
                        status_code=exc.status, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TollwayError)
    async def _domain(request: Request, exc: TollwayError) -> JSONResponse:
        response = error_response(exc, request.url.path)
        if request.url.path.startswith("/v1/") or speaks_envelope(request.url.path):
            # A refused or failed call tells the client it cost nothing, unless it says otherwise.
            response.headers.setdefault("x-credits-used", "0")
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        param = ".".join(loc) or None
        message = f"{param}: {first['msg']}" if param else first["msg"]
        return JSONResponse(error_json(request.url.path, 400, message, "invalid_request_error", "invalid_value",
                                       param), status_code=400)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        code, type_ = _HTTP_TYPES.get(exc.status_code, ("http_error", "invalid_request_error"))
        message = "No such route" if exc.status_code == 404 else str(exc.detail)
        return JSONResponse(error_json(request.url.path, exc.status_code, message, type_, code),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))


def describe_unexpected(exc: BaseException) -> str:
    """Where it broke, not the trace or the message: either can carry request data or credentials."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else "?"
    return f"{type(exc).__name__} at {where}"


UNEXPECTED_MESSAGE = "The gateway failed to handle this request"
