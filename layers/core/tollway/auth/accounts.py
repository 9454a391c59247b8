"""Accounts: who credits belong to. An account is an item of the KeysTable — the table the ledger
charges — beside the keys that spend from it.

    account_put(account_id, owner=user_id)          # a TransactWriteItems entry: made with its user at sign-up
    read_account("acct_…")                          # Account(id, owner, balance, created_at)
    grant_credits("acct_…", 10_000_000, note="…")   # the operator's grant (or debit), with its history entry
    grants_of("acct_…")                             # that history, newest first

Account item: `id` = "acct_<16 hex>", `kind` = "account", `balance` (micro-credits; negative while the
account owes what a settlement charged beyond it), `pending` and `leases` (the ledger's maps, as on
a key), `created_at`, `owner` (the user id). A key of the account names it in `account_id`.

A grant moves the balance and writes its history entry in one transaction: the console's history
always adds up to what was granted.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from tollway.auth import account_table as t
from tollway.config import settings
from tollway.errors import InvalidRequest, NotFound

PREFIX = "acct_"
_SHAPE = re.compile(r"^acct_[0-9a-f]{16}$")
GRANT_NOTE_MAX = 200


def new_account_id() -> str:
    return PREFIX + secrets.token_hex(8)


def is_account_id(value: str) -> bool:
    return bool(_SHAPE.match(value))


@dataclass(frozen=True)
class Account:
    id: str
    owner: str
    balance: int  # the stored free balance (http/admin.py `account_balance` adds what leases hold)
    created_at: str


@dataclass(frozen=True)
class Grant:
    at: str
    amount: int
    note: str


def account_put(account_id: str, owner: str, now: float | None = None) -> dict[str, Any]:
    """The account's item as a TransactWriteItems entry (it must not exist yet)."""
    item = {"id": t.s(account_id), "kind": t.s("account"), "owner": t.s(owner), "balance": t.n(0),
            "pending": {"M": {}}, "leases": {"M": {}}, "created_at": t.s(t.iso(now))}
    return {"Put": {"TableName": settings().keys_table, "Item": item, "ConditionExpression": "attribute_not_exists(id)"}}


def _missing(account_id: str) -> NotFound:
    return NotFound(f"No account {account_id[:64]!r}", code="account_not_found")


def read_account(account_id: str) -> Account:
    """The account's item (its balance as stored: what leases hold is the ledger's to add)."""
    if not is_account_id(account_id):
        raise _missing(account_id)
    item = t.ddb().get_item(TableName=settings().keys_table, Key={"id": t.s(account_id)},
                            ConsistentRead=True).get("Item")
    if item is None or t.text(item, "kind") != "account":
        raise _missing(account_id)
    return Account(id=account_id, owner=t.text(item, "owner"), balance=t.number(item, "balance"),
                   created_at=t.text(item, "created_at"))


def grant_credits(account_id: str, amount: int, note: str = "") -> None:
    """Add (or, negative, remove) credits; a removal may not take the free balance below zero."""
    if not is_account_id(account_id):
        raise _missing(account_id)
    if amount == 0:
        raise InvalidRequest("amount must not be zero", code="invalid_value", param="amount")
    now = time.time()
    removal = amount < 0
    condition = "attribute_exists(id) AND kind = :account" + (" AND #b >= :floor" if removal else "")
    values: dict[str, Any] = {":amount": t.n(amount), ":account": t.s("account")}
    if removal:
        values[":floor"] = t.n(-amount)
    grant_item = {**t.key(f"account#{account_id}", f"grant#{t.iso(now, micro=True)}#{secrets.token_hex(4)}"),
                  "amount": t.n(amount), "note": t.s(note[:GRANT_NOTE_MAX]), "at": t.n(int(now))}
    ddb = t.ddb()
    try:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": settings().keys_table, "Key": {"id": t.s(account_id)},
                        "UpdateExpression": "SET #b = #b + :amount", "ConditionExpression": condition,
                        "ExpressionAttributeNames": {"#b": "balance"}, "ExpressionAttributeValues": values}},
            {"Put": {"TableName": t.table(), "Item": grant_item}},
        ])
    except ddb.exceptions.TransactionCanceledException:
        exists = ddb.get_item(TableName=settings().keys_table, Key={"id": t.s(account_id)},
                              ProjectionExpression="kind", ConsistentRead=True).get("Item")
        if not exists or t.text(exists, "kind") != "account":
            raise _missing(account_id) from None
        raise InvalidRequest("This debit would take the balance below zero",
                             code="insufficient_balance", param="amount") from None


def grants_of(account_id: str, limit: int = 100) -> list[Grant]:
    items = t.query_prefix(f"account#{account_id}", "grant#", newest_first=True, limit=limit)
    return [Grant(at=t.iso(t.number(item, "at")), amount=t.number(item, "amount"), note=t.text(item, "note"))
            for item in items]
