"""Reading what the client sent: the API key and a JSON object body, with clear 4xx errors."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from tollway.errors import AuthenticationFailed, PayloadTooLarge
from tollway.http.middleware import BodyTooLarge, too_large_message
from tollway.wire.json_text import parse_json_object


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
    """The body as a JSON object; anything else (and JSON no route could carry) is a 400 here."""
    try:
        raw = await request.body()
    except BodyTooLarge as exc:
        raise too_large(request, exc) from None
    return parse_json_object(raw)


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

