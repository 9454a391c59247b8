"""Keys of an account: the credits are the account's, shared by all its keys, and each key may carry a
spending cap of its own.

    account = create_account("user_…")            # an item of the keys table: balance, holds, leases
    admit_for_account(ref, scope, reserve, now, hold, key_item)

The account is an item of the keys table (`id` "acct_…", `balance`, `pending`, `leases`): every
balance the ledger moves lives in one table. A key of an account carries `account_id` and, when its
owner set a cap, `cap_left` (micro-credits it may still spend); `spent_micro` counts what it has
spent (reservations in flight included, settled back to the charge). Admission is one transaction over the
two items: the key's (genuine, unrevoked, scope, rate limit, cap) and the account's (balance, hold).
DynamoDB applies it atomically, so no set of requests on any of an account's keys can take its
balance below zero or a key past its cap. Settlement releases the hold on the account, gives the
unspent part of the reservation back to the cap and writes the record, in one transaction too.

Keys of an account are admitted per request (no prepaid leases yet): two writes a request, which
one account's keys can sustain to about 500 requests a second. Operator keys (the credits on the
key's own item) lease as described in leases.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tollway.auth.accounts import account_put, new_account_id
from tollway.auth.keys import KeyRef
from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import InsufficientCredits
from tollway.ledger import rate_window as rate
from tollway.ledger.holds import PENDING, Admission, Hold, refusal
from tollway.ledger.money import format_credits

@dataclass(frozen=True)
class AccountKey:
    """What admission needs to know of a key of an account (a key never changes account)."""

    account_id: str
    capped: bool  # checked by the write itself: a cap set or removed since is seen, and this refreshed
    rpm: int

    @classmethod
    def of(cls, key_item: dict[str, Any]) -> AccountKey:
        return cls(key_item["account_id"]["S"], "cap_left" in key_item, int(key_item.get("rpm", {}).get("N", 0)))


ACCOUNT_OF: dict[str, AccountKey] = {}  # key id → what admission knows of it, in this process


def create_account(owner: str, account_id: str | None = None) -> str:
    """An account with nothing on it (the console makes its accounts with their user, auth/signup.py)."""
    account_id = account_id or new_account_id()
    client("dynamodb").transact_write_items(TransactItems=[account_put(account_id, owner)])
    return account_id


def admit_for_account(ref: KeyRef, scope: str, reserve: int, now: float, hold: Hold, known: AccountKey,
                      *, retried: bool = False) -> Admission:
    """One transaction: count the request and draw on the cap on the key's item, reserve on the
    account's. Raise 401/403/429/402 as a domain error."""
    ACCOUNT_OF[ref.id] = known
    account_id, capped = known.account_id, known.capped
    minute = rate.window(now)
    s = settings()
    key_sets = ["#cur = if_not_exists(#cur, :zero) + :one", "#u = :now", "#spent = if_not_exists(#spent, :zero) + :cost"]
    key_conditions = ["#h = :h", "attribute_not_exists(#r)", "contains(#s, :scope)",
                      "(attribute_not_exists(#cur) OR #cur < #rpm)", "#acct = :acct"]
    key_names = {"#h": "key_hash", "#r": "revoked_at", "#s": "scopes", "#cur": rate.attribute(minute),
                 "#rpm": "rpm", "#u": "last_used_at", "#acct": "account_id", "#spent": "spent_micro"}
    key_values = {":h": {"S": ref.hash}, ":scope": {"S": scope}, ":zero": {"N": "0"}, ":one": {"N": "1"},
                  ":now": {"N": str(int(now))}, ":acct": {"S": account_id}, ":cost": {"N": str(reserve)}}
    key_names["#cap"] = "cap_left"
    if capped:
        key_sets.append("#cap = #cap - :cost")
        key_conditions.append("#cap >= :cost")
    else:
        key_conditions.append("attribute_not_exists(#cap)")
    transaction = [
        {"Update": {"TableName": s.keys_table, "Key": {"id": {"S": ref.id}},
                    "UpdateExpression": "SET " + ", ".join(key_sets),
                    "ConditionExpression": " AND ".join(key_conditions),
                    "ExpressionAttributeNames": key_names, "ExpressionAttributeValues": key_values,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Update": {"TableName": s.keys_table, "Key": {"id": {"S": account_id}},
                    "UpdateExpression": "SET #b = #b - :cost, #p.#hold = :hold",
                    "ConditionExpression": "#b >= :cost",
                    "ExpressionAttributeNames": {"#b": "balance", "#p": PENDING, "#hold": hold.id},
                    "ExpressionAttributeValues": {":cost": {"N": str(reserve)},
                                                  ":hold": hold.item(reserve, now, key_id=ref.id, capped=capped)},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
    ]
    ddb = client("dynamodb")
    try:
        ddb.transact_write_items(TransactItems=transaction)
    except ddb.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons", [])
        current = (reasons[0].get("Item") if reasons else None) or {}
        if not retried and "account_id" in current and AccountKey.of(current) != known:
            return admit_for_account(ref, scope, reserve, now, hold, AccountKey.of(current), retried=True)
        raise _refusal(ref, scope, reserve, current, reasons, now) from None
    # The minute's count is not read back by a transaction: the headers say what this process knows.
    return Admission(key_id=ref.id, hold_id=hold.id, reserved=reserve, balance_after=0, rpm=known.rpm, used=1,
                     stale_windows=(), now=now, balance_item=account_id, capped=capped)


def _refusal(ref: KeyRef, scope: str, reserve: int, key_item: dict[str, Any], reasons: list[dict[str, Any]],
             now: float) -> Exception:
    """Which check failed: the key's (in the order `refusal` tells them), its cap, or the account's balance."""
    key_reason, account_reason = (reasons + [{}, {}])[:2]
    if key_reason.get("Code") == "ConditionalCheckFailed":
        item = key_item
        about_the_key = refusal(ref, scope, reserve, {**item, "balance": {"N": str(2**62)}}, now)
        if not isinstance(about_the_key, InsufficientCredits):
            return about_the_key  # 401, 403 or 429: the key itself
        left = int(item.get("cap_left", {}).get("N", 0))
        return InsufficientCredits(
            f"This key's spending cap is reached: this request may cost up to {format_credits(reserve)} "
            f"credits and the key may spend {format_credits(max(left, 0))} more", code="spending_cap_reached")
    if account_reason.get("Code") == "ConditionalCheckFailed":
        balance = int((account_reason.get("Item") or {}).get("balance", {}).get("N", 0))
        return InsufficientCredits(
            f"Insufficient credits: this request may cost up to {format_credits(reserve)} credits "
            f"and the account's balance is {format_credits(balance)}")
    return InsufficientCredits("The account could not reserve this request's credits; try again")


def cap_refund(admission: Admission, refund: int) -> dict[str, Any] | None:
    """The transaction entry giving a key of an account back the unspent part of its reservation — on
    its spent count and, when capped, its cap (negative: taking what a charge beyond the reservation
    owes) — or None for a key that spends its own balance."""
    if admission.holder == admission.key_id:
        return None
    names = {"#spent": "spent_micro"}
    update = "SET #spent = if_not_exists(#spent, :zero) - :refund"
    if admission.capped:
        names["#cap"] = "cap_left"
        update += ", #cap = #cap + :refund"
    return {"Update": {"TableName": settings().keys_table, "Key": {"id": {"S": admission.key_id}},
                       "UpdateExpression": update, "ConditionExpression": "attribute_exists(id)",
                       "ExpressionAttributeNames": names,
                       "ExpressionAttributeValues": {":refund": {"N": str(refund)}, ":zero": {"N": "0"}}}}
