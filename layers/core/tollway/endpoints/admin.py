"""The admin API's use cases: issue, inspect, credit and revoke API keys; show and credit accounts;
make invite codes for the console's sign-up. The caller is the operator, checked at the edge
(http/admin.py: the admin key).

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
from tollway.errors import InvalidRequest, NotFound
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
    refuse_account_id(key_id)  # an account is credited at /admin/accounts/{id}/credits, with its history
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
    if record.account_id:
        body |= {"account_id": record.account_id, "spent": credits_json(record.spent_micro),
                 "cap": credits_json(record.cap_micro) if record.cap_micro is not None else None}
    if record.revoked_at:
        body["revoked_at"] = record.revoked_at
    return body


def micro_or_400(amount: object, param: str) -> int:
    try:
        return to_micro(amount)
    except ValueError as exc:
        raise InvalidRequest(f"{param}: {exc}", code="invalid_value", param=param) from None


def account_balance(account_id: str) -> int:
    """An account's credits as its owner counts them: the free balance and what leases hold unspent,
    after this process has flushed what it settled (blocking)."""
    from tollway.ledger import flush_all
    from tollway.ledger.books import spendable
    from tollway.ledger.lease_store import read_key

    flush_all()
    item = read_key(account_id)
    return spendable(account_id, item) if item else 0


def refuse_account_id(item_id: str) -> None:
    from tollway.auth.accounts import is_account_id

    if is_account_id(item_id):
        raise NotFound(f"No API key with id {item_id!r}: credit an account at /admin/accounts/{item_id}/credits",
                       code="key_not_found")


async def show_account(account_id: str) -> Reply:
    return Reply(body=await anyio.to_thread.run_sync(_account_json, account_id))


def _account_json(account_id: str) -> dict[str, Any]:
    from tollway.auth.account_keys import keys_of
    from tollway.auth.accounts import grants_of, read_account

    account = read_account(account_id)
    keys = keys_of(account_id)
    return {"id": account.id, "object": "account", "owner": account.owner, "created_at": account.created_at,
            "credits": credits_json(account_balance(account_id)),
            "keys": {"active": sum(1 for k in keys if not k.revoked_at), "revoked": sum(1 for k in keys if k.revoked_at)},
            "grants": [{"at": g.at, "amount": credits_json(g.amount), "note": g.note} for g in grants_of(account_id, 20)]}


async def credit_account(account_id: str, raw: dict[str, Any]) -> Reply:
    from tollway.auth.accounts import grant_credits
    from tollway.wire.console import AccountCredit

    body = validate(AccountCredit, raw)
    amount = micro_or_400(body.amount, "amount")
    await anyio.to_thread.run_sync(lambda: grant_credits(account_id, amount, body.note))
    balance = await anyio.to_thread.run_sync(account_balance, account_id)
    return Reply(body={"id": account_id, "credits": credits_json(balance)})


async def create_invite(raw: dict[str, Any]) -> Reply:
    from datetime import UTC, datetime

    from tollway.auth.invites import create_invite as make_invite
    from tollway.wire.console import InviteRequest

    body = validate(InviteRequest, raw)
    code, expires_at = await anyio.to_thread.run_sync(
        lambda: make_invite(body.uses, body.expires_in_days * 86_400, body.note))
    return Reply(status=201, body={"code": code, "uses": body.uses, "note": body.note,
                                   "expires_at": datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
