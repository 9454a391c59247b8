"""Admission: authenticate, check scope, count the request and reserve its worst-case cost, in
one conditional UpdateItem on the key's item — the only DynamoDB request before the upstream call.

DynamoDB applies conditional writes to one item atomically, so concurrent requests can never take
a balance below zero; one item (not a transaction over several) means hot keys see no
TransactionConflict under load. When the condition fails, DynamoDB returns the old item
(ReturnValuesOnConditionCheckFailure) and we tell the client which check failed.

The same write records the reservation as a hold (`pending.<request id>` = amount, admission time
and deadline) on the key's item. Settlement removes it; if the process dies first (a crash,
DynamoDB unreachable at settlement), the sweeper releases it after the deadline — charging what a
long stream checkpointed onto it (`charged`, see checkpoint.py) and refunding the rest — so a
reservation can never be lost and a request alive at its deadline never becomes free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tollway.auth.keys import KeyRef
from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import InsufficientCredits
from tollway.ledger.accounts import ACCOUNT_OF, AccountKey, admit_for_account
from tollway.ledger.holds import PENDING, Admission, Hold, refusal
from tollway.ledger import rate_window as rate


def admit(ref: KeyRef, scope: str, reserve: int, now: float, hold: Hold,
          observe: Callable[[dict[str, Any]], None] | None = None, *, reclaimed: bool = False) -> Admission:
    """Raise 401/403/429/402 as a domain error, or return the admission holding `reserve` µc until
    settlement (or, if settlement never comes, until the sweeper releases it after `hold.seconds`).
    Before answering 402, credit stranded in leases whose process is gone (expired) is reclaimed."""
    known = ACCOUNT_OF.get(ref.id)  # a key of an account this process has seen
    if known is not None:
        return admit_for_account(ref, scope, reserve, now, hold, known)
    minute = rate.window(now)
    names = {"#h": "key_hash", "#b": "balance", "#s": "scopes", "#r": "revoked_at",
             "#rpm": "rpm", "#cur": rate.attribute(minute), "#u": "last_used_at", "#p": PENDING, "#hold": hold.id}
    values = {":h": {"S": ref.hash}, ":scope": {"S": scope}, ":cost": {"N": str(reserve)},
              ":zero": {"N": "0"}, ":one": {"N": "1"}, ":now": {"N": str(int(now))},
              ":hold": hold.item(reserve, now)}
    ddb = client("dynamodb")
    try:
        result = ddb.update_item(
            TableName=settings().keys_table,
            Key={"id": {"S": ref.id}},
            UpdateExpression=("SET #b = #b - :cost, #cur = if_not_exists(#cur, :zero) + :one, #u = :now,"
                              " #p.#hold = :hold"),
            ConditionExpression=("#h = :h AND attribute_not_exists(#r) AND contains(#s, :scope)"
                                 " AND (attribute_not_exists(#cur) OR #cur < #rpm) AND #b >= :cost"),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ddb.exceptions.ConditionalCheckFailedException as exc:
        old = exc.response.get("Item")
        if old and "account_id" in old and old.get("key_hash", {}).get("S") == ref.hash:
            return admit_for_account(ref, scope, reserve, now, hold, AccountKey.of(old))
        refused = refusal(ref, scope, reserve, old, now)
        if isinstance(refused, InsufficientCredits) and not reclaimed and old and _reclaim_expired_leases(ref.id, old, now):
            return admit(ref, scope, reserve, now, hold, observe, reclaimed=True)
        raise refused from None
    item = result["Attributes"]
    if observe is not None:
        observe(item)
    rpm = int(item["rpm"]["N"])
    return Admission(
        key_id=ref.id,
        hold_id=hold.id,
        reserved=reserve,
        balance_after=int(item["balance"]["N"]),
        rpm=rpm,
        used=int(item[rate.attribute(minute)]["N"]),
        stale_windows=tuple(rate.stale_attributes(item, minute)),
        now=now,
    )


def _reclaim_expired_leases(key_id: str, item: dict[str, Any], now: float) -> bool:
    """Release the key's leases that expired (a Lambda container frozen or gone) now, rather than at
    the sweeper's next run; True if any credit came back."""
    from tollway.ledger.lease_store import LEASES, release_abandoned

    back = False
    for lease_id, entry in item.get(LEASES, {}).get("M", {}).items():
        fields = entry["M"]
        if "released" not in fields and int(fields.get("until", {}).get("N", 0)) <= now:
            back |= bool(release_abandoned(key_id, lease_id, fields, now))
    return back


def count_request(ref: KeyRef, scope: str, now: float) -> dict[str, str]:
    """A free request that still counts against the key's rate limit (count_tokens): the same checks
    as `admit` without a reservation, in one conditional UpdateItem. Returns the rate headers."""
    minute = rate.window(now)
    ddb = client("dynamodb")
    try:
        result = ddb.update_item(
            TableName=settings().keys_table, Key={"id": {"S": ref.id}},
            UpdateExpression="SET #cur = if_not_exists(#cur, :zero) + :one, #u = :now",
            ConditionExpression=("#h = :h AND attribute_not_exists(#r) AND contains(#s, :scope)"
                                 " AND (attribute_not_exists(#cur) OR #cur < #rpm)"),
            ExpressionAttributeNames={"#h": "key_hash", "#s": "scopes", "#r": "revoked_at", "#rpm": "rpm",
                                      "#cur": rate.attribute(minute), "#u": "last_used_at"},
            ExpressionAttributeValues={":h": {"S": ref.hash}, ":scope": {"S": scope}, ":zero": {"N": "0"},
                                       ":one": {"N": "1"}, ":now": {"N": str(int(now))}},
            ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except ddb.exceptions.ConditionalCheckFailedException as exc:
        raise refusal(ref, scope, 0, exc.response.get("Item"), now) from None
    item = result["Attributes"]
    return rate.headers(int(item["rpm"]["N"]), int(item[rate.attribute(minute)]["N"]), now)
