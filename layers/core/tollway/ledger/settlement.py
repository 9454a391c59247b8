"""Settlement: charge the real cost, refund the rest of the reservation, release its hold and write
the usage record — one TransactWriteItems after the upstream call.

The request id is the transaction's ClientRequestToken and the usage record is conditional on not
existing, so a retried settlement is applied exactly once. The key update is conditional on the
hold still being there: if the sweeper already released it (the request outlived its deadline),
the refund is not paid twice and only the usage record is written.
"""

from __future__ import annotations

import random
import time
from typing import Any

from tollway.aws_clients import client
from tollway.config import settings
from tollway.ledger.admission import PENDING, Admission
from tollway.usage.records import UsageRecord

ATTEMPTS = 4


def settle(admission: Admission, charge: int, record: UsageRecord) -> int:
    """Charge `charge` µc (never more than was reserved) and record the usage; return the charge."""
    charge = max(0, min(charge, admission.reserved))
    record.credits_micro = charge
    record.reserved_micro = admission.reserved
    record.finish()
    s = settings()
    put = {"TableName": s.usage_table, "Item": record.to_item(time.time()),
           "ConditionExpression": "attribute_not_exists(sk)"}
    transaction = [{"Update": release_hold(admission, admission.reserved - charge)}, {"Put": put}]
    ddb = client("dynamodb")
    for attempt in range(ATTEMPTS):
        try:
            ddb.transact_write_items(TransactItems=transaction, ClientRequestToken=record.request_id[:36])
            return charge
        except ddb.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if reasons[1:2] == ["ConditionalCheckFailed"]:
                return charge  # the usage record exists: this settlement already happened
            if reasons[:1] == ["ConditionalCheckFailed"]:
                # The sweeper released the hold (and refunded all of it): record what happened.
                record.status = f"{record.status}_after_expiry"
                record.credits_micro = 0
                _put_quietly(ddb, put | {"Item": record.to_item(time.time())})
                return 0
            if attempt == ATTEMPTS - 1:
                raise
        except ddb.exceptions.TransactionInProgressException:
            if attempt == ATTEMPTS - 1:
                raise
        # Another writer holds the item for a moment (TransactionConflict): back off and retry.
        time.sleep(random.uniform(0.005, 0.02) * (2**attempt))
    return charge


def release_hold(admission: Admission, refund: int) -> dict[str, Any]:
    """The key-item update that gives back `refund` µc and forgets the hold (and stale rate windows)."""
    names = {"#b": "balance", "#p": PENDING, "#hold": admission.hold_id}
    names |= {f"#w{i}": w for i, w in enumerate(admission.stale_windows)}
    removed = ", ".join(["#p.#hold", *(f"#w{i}" for i in range(len(admission.stale_windows)))])
    return {"TableName": settings().keys_table, "Key": {"id": {"S": admission.key_id}},
            "UpdateExpression": f"SET #b = #b + :refund REMOVE {removed}",
            "ConditionExpression": "attribute_exists(#p.#hold)",
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": {":refund": {"N": str(refund)}}}


def _put_quietly(ddb: Any, put: dict[str, Any]) -> None:
    try:
        ddb.put_item(**put)
    except ddb.exceptions.ConditionalCheckFailedException:
        pass
