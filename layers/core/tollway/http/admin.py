"""The admin edge: the admin key check and the key object as the admin API shows it."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Request

from tollway.auth.store import KeyRecord, get_key
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


def key_with_balance(key_id: str) -> KeyRecord:
    """The key as its owner would count its credits: the free balance and what leases of live
    processes hold unspent, after this process has flushed what it settled (blocking)."""
    from dataclasses import replace

    from tollway.ledger.books import spendable
    from tollway.ledger.flush import flush_all
    from tollway.ledger.lease_store import read_key

    flush_all()
    record = get_key(key_id)
    item = read_key(key_id)
    return replace(record, balance=spendable(key_id, item)) if item else record


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
