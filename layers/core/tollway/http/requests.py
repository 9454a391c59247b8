"""Reading what the client sent: the API key and a JSON object body, with clear 4xx errors."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from tollway.errors import AuthenticationFailed, InvalidRequest, PayloadTooLarge
from tollway.http.middleware import BodyTooLarge, too_large_message


def api_key(request: Request) -> str:
    """Bearer token, or `x-api-key` (what the Anthropic SDK sends)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    alt = request.headers.get("x-api-key", "").strip()
    if alt:
        return alt
    raise AuthenticationFailed("Missing API key: send 'Authorization: Bearer <key>'", code="missing_api_key")


def request_id(request: Request) -> str:
    return str(request.scope.get("tollway.request_id", ""))


async def json_object(request: Request) -> dict[str, Any]:
    try:
        raw = await request.body()
    except BodyTooLarge as exc:
        raise too_large(request, exc) from None
    if not raw.strip():
        raise InvalidRequest("Request body is empty; expected a JSON object", code="invalid_json")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"Request body is not valid JSON: {_json_error(exc)}", code="invalid_json") from None
    if not isinstance(body, dict):
        raise InvalidRequest("Request body must be a JSON object", code="invalid_json")
    return body


async def optional_json_object(request: Request) -> dict[str, Any]:
    """A JSON object body, or {} when the body is empty (endpoints whose fields are all optional)."""
    try:
        raw = await request.body()
    except BodyTooLarge as exc:
        raise too_large(request, exc) from None
    return await json_object(request) if raw.strip() else {}


def too_large(request: Request, exc: BodyTooLarge) -> PayloadTooLarge:
    """The 413 for a body that turned out larger than its Content-Length said (or had none)."""
    return PayloadTooLarge(too_large_message(exc.limit, str(request.scope.get("tollway.too_large_hint", ""))))


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return "not UTF-8"
