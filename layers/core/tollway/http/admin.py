"""The admin edge: the admin key check, the key and account objects as the admin API shows them, and
invite codes for the console."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Request

from tollway.auth.store import KeyRecord, get_key
from tollway.config import secret
from tollway.errors import AuthenticationFailed, InvalidRequest, NotFound
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


def account_balance(account_id: str) -> int:
    """An account's credits as its owner counts them: the free balance and what leases hold unspent."""
    from tollway.ledger.books import spendable
    from tollway.ledger.flush import flush_all
    from tollway.ledger.lease_store import read_key

    flush_all()
    item = read_key(account_id)
    return spendable(account_id, item) if item else 0


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


def refuse_account_id(item_id: str) -> None:
    from tollway.auth.accounts import is_account_id

    if is_account_id(item_id):
        raise NotFound(f"No API key with id {item_id!r}: credit an account at /admin/accounts/{item_id}/credits",
                       code="key_not_found")


def account_json(account_id: str) -> dict[str, Any]:
    from tollway.auth.account_keys import keys_of
    from tollway.auth.accounts import grants_of, read_account

    account = read_account(account_id)
    keys = keys_of(account_id)
    return {"id": account.id, "object": "account", "owner": account.owner, "created_at": account.created_at,
            "credits": credits_json(account_balance(account_id)),
            "keys": {"active": sum(1 for k in keys if not k.revoked_at), "revoked": sum(1 for k in keys if k.revoked_at)},
            "grants": [{"at": g.at, "amount": credits_json(g.amount), "note": g.note} for g in grants_of(account_id, 20)]}


async def credit_account(account_id: str, raw: dict[str, Any]) -> dict[str, Any]:
    import anyio

    from tollway.auth.accounts import grant_credits
    from tollway.wire.console import AccountCredit
    from tollway.wire.validation import validate

    body = validate(AccountCredit, raw)
    amount = micro_or_400(body.amount, "amount")
    await anyio.to_thread.run_sync(lambda: grant_credits(account_id, amount, body.note))
    balance = await anyio.to_thread.run_sync(account_balance, account_id)
    return {"id": account_id, "credits": credits_json(balance)}


async def invite_json(raw: dict[str, Any]) -> dict[str, Any]:
    import anyio

    from tollway.auth.invites import create_invite
    from tollway.wire.console import InviteRequest
    from tollway.wire.validation import validate

    body = validate(InviteRequest, raw)
    code, expires_at = await anyio.to_thread.run_sync(
        lambda: create_invite(body.uses, body.expires_in_days * 86_400, body.note))
    from datetime import UTC, datetime

    return {"code": code, "uses": body.uses, "note": body.note,
            "expires_at": datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
