"""The admin edge: the admin key check and the key object as the admin API shows it."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Request

from tollway.auth.store import KeyRecord
from tollway.config import secret
from tollway.errors import AuthenticationFailed, InvalidRequest
from tollway.ledger.money import credits_json, to_micro


def require_admin(request: Request) -> None:
    configured = secret("TOLLWAY_ADMIN_KEY")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not configured:
        raise AuthenticationFailed("The admin API is disabled: TOLLWAY_ADMIN_KEY is not set")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), configured.encode()):
        raise AuthenticationFailed("Invalid admin key", code="invalid_admin_key")


def key_json(record: KeyRecord, key: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": record.id}
    if key is not None:
        body["key"] = key
    body |= {"name": record.name, "credits": credits_json(record.balance), "rpm": record.rpm,
             "scopes": list(record.scopes), "created_at": record.created_at}
    if record.revoked_at:
        body["revoked_at"] = record.revoked_at
    return body


def micro_or_400(amount: object, param: str) -> int:
    try:
        return to_micro(amount)
    except ValueError as exc:
        raise InvalidRequest(f"{param}: {exc}", code="invalid_value", param=param) from None
