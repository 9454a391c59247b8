"""Settlement: charge the real cost, give back the rest of the reservation, release its hold and
write the usage record — one TransactWriteItems after the upstream call.

The charge is what the provider reported at catalog prices, never capped at the reservation: when
it is larger (the provider counted more than the gateway's worst-case estimate), the difference
comes out of the balance, which may go below zero — the key then owes it and every new request is
refused with 402 until a top-up covers the debt (admission requires `balance >= cost`).

The usage record's sort key is the admission time and the request id, so every writer of a
request's record (this settlement, a retry of it, the sweeper) names the same item, and its put is
conditional on the item not existing: a settlement is applied exactly once. The key update is
conditional on the hold still being there. If the sweeper released it first (a request that
outlived its deadline), it charged what the request had checkpointed and wrote an `expired`
record; the late settlement then takes the rest of what the request owes from the balance and
turns that record into the real one — the request is never free and never charged twice.
"""

from __future__ import annotations

import random
import time
from typing import Any

from tollway.aws_clients import client
from tollway.config import settings
from tollway.ledger.accounts import cap_refund
from tollway.ledger.holds import PENDING, Admission
from tollway.usage.records import UsageRecord
from tollway.usage.store import single_item, single_key

ATTEMPTS = 4
EXPIRED = "expired"


def settle(admission: Admission, charge: int, record: UsageRecord) -> int:
    """Charge `charge` µc (the reservation is not a cap) and record the usage; return the charge."""
    charge = max(0, charge)
    record.credits_micro = charge
    record.reserved_micro = admission.reserved
    if record.recorded_at is None:
        record.recorded_at = admission.now
    record.finish()
    s = settings()
    put = {"TableName": s.usage_table, "Item": single_item(record), "ConditionExpression": "attribute_not_exists(sk)"}
    transaction = [{"Update": release_hold(admission, admission.reserved - charge)}, {"Put": put}]
    refund_cap = cap_refund(admission, admission.reserved - charge)
    if refund_cap is not None:
        transaction.append(refund_cap)
    ddb = client("dynamodb")
    for attempt in range(ATTEMPTS):
        try:
            ddb.transact_write_items(TransactItems=transaction, ClientRequestToken=record.request_id[:36])
            return charge
        except ddb.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if reasons[:1] == ["ConditionalCheckFailed"]:
                # The hold is gone: settled already (a retry), or released by the sweeper.
                return _after_release(ddb, admission, charge, record)
            if attempt == ATTEMPTS - 1:
                raise
        except ddb.exceptions.TransactionInProgressException:
            if attempt == ATTEMPTS - 1:
                raise
        # Another writer holds the item for a moment (TransactionConflict): back off and retry.
        time.sleep(random.uniform(0.005, 0.02) * (2**attempt))
    return charge


def _after_release(ddb: Any, admission: Admission, charge: int, record: UsageRecord) -> int:
    """The hold was released before this settlement: charge what the sweeper did not, exactly once."""
    s = settings()
    key = single_key(record.key_id, record.request_id, record.at())
    for _ in range(ATTEMPTS):
        found = ddb.get_item(TableName=s.usage_table, Key=key, ConsistentRead=True).get("Item")
        if found is not None and found.get("status", {}).get("S") != EXPIRED:
            return int(found["credits_micro"]["N"])  # this settlement happened already
        swept = int(found["credits_micro"]["N"]) if found is not None else 0
        record.swept_micro = swept
        item = single_item(record)
        condition = ({"ConditionExpression": "#st = :expired AND credits_micro = :swept",
                      "ExpressionAttributeNames": {"#st": "status"},
                      "ExpressionAttributeValues": {":expired": {"S": EXPIRED}, ":swept": {"N": str(swept)}}}
                     if found is not None else {"ConditionExpression": "attribute_not_exists(sk)"})
        debit = {"TableName": s.keys_table, "Key": {"id": {"S": admission.holder}},
                 "UpdateExpression": "SET #b = #b - :owed", "ConditionExpression": "attribute_exists(id)",
                 "ExpressionAttributeNames": {"#b": "balance"},
                 "ExpressionAttributeValues": {":owed": {"N": str(charge - swept)}}}
        late = [{"Update": debit}, {"Put": {"TableName": s.usage_table, "Item": item, **condition}}]
        take_cap = cap_refund(admission, swept - charge)
        if take_cap is not None:
            late.append(take_cap)
        try:
            ddb.transact_write_items(TransactItems=late)
            return charge
        except ddb.exceptions.TransactionCanceledException:
            continue  # the record changed under us (the sweep landed, or a retry won): look again
    raise RuntimeError(f"could not settle {record.request_id} after its hold was released")


def release_hold(admission: Admission, refund: int) -> dict[str, Any]:
    """The key-item update that gives back `refund` µc (negative: takes more) and forgets the hold
    (and stale rate windows)."""
    names = {"#b": "balance", "#p": PENDING, "#hold": admission.hold_id}
    names |= {f"#w{i}": w for i, w in enumerate(admission.stale_windows)}
    removed = ", ".join(["#p.#hold", *(f"#w{i}" for i in range(len(admission.stale_windows)))])
    return {"TableName": settings().keys_table, "Key": {"id": {"S": admission.holder}},
            "UpdateExpression": f"SET #b = #b + :refund REMOVE {removed}",
            "ConditionExpression": "attribute_exists(#p.#hold)",
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": {":refund": {"N": str(refund)}}}
