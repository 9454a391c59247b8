"""The admin API's use cases: issue, inspect, credit and revoke API keys. The caller is the operator,
checked at the edge (http/admin.py: the admin key).

    reply = await create_key({"name": "ci", "credits": "10"})     # 201 with the key, shown once
    reply = await credit_key("9f2c…", {"amount": "5"})
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import anyio

from tollway.auth import store
from tollway.auth.store import KeyRecord
from tollway.endpoints.reply import Reply
from tollway.errors import InvalidRequest
from tollway.ledger.money import credits_json, to_micro
from tollway.wire.admin import CreateKeyRequest, CreditRequest
from tollway.wire.validation import validate


async def create_key(raw: dict[str, Any]) -> Reply:
    body = validate(CreateKeyRequest, raw)
    balance = micro_or_400(body.credits, "credits")
    key, record = await anyio.to_thread.run_sync(store.create_key, body.name, balance, body.rpm, tuple(body.scopes))
    return Reply(body=key_json(record, key), status=201)


async def show_key(key_id: str) -> Reply:
    return Reply(body=key_json(await anyio.to_thread.run_sync(key_with_balance, key_id)))


async def credit_key(key_id: str, raw: dict[str, Any]) -> Reply:
    body = validate(CreditRequest, raw)
    await anyio.to_thread.run_sync(store.add_credits, key_id, micro_or_400(body.amount, "amount"))
    record = await anyio.to_thread.run_sync(key_with_balance, key_id)
    return Reply(body={"id": key_id, "credits": credits_json(record.balance)})


async def revoke_key(key_id: str) -> Reply:
    await anyio.to_thread.run_sync(store.revoke_key, key_id)
    return Reply(status=204)


def key_with_balance(key_id: str) -> KeyRecord:
    """The key as its owner would count its credits: the free balance and what leases of live
    processes hold unspent, after this process has flushed what it settled (blocking)."""
    from tollway.ledger import flush_all
    from tollway.ledger.books import spendable
    from tollway.ledger.lease_store import read_key

    flush_all()
    record = store.get_key(key_id)
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
