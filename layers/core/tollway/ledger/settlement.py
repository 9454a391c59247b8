"""Settlement: charge the real cost, refund the rest of the reservation and write the usage record
— one request after the upstream call (a TransactWriteItems, or a single PutItem when nothing
needs refunding).

The request id is the transaction's ClientRequestToken and the usage record is conditional on not
existing, so a retried settlement is applied exactly once.
"""

from __future__ import annotations

import random
import time

from tollway.aws_clients import client
from tollway.config import settings
from tollway.ledger.admission import Admission
from tollway.usage.records import UsageRecord

ATTEMPTS = 4


def settle(admission: Admission, charge: int, record: UsageRecord) -> int:
    """Charge `charge` µc (never more than was reserved) and record the usage; return the charge."""
    charge = max(0, min(charge, admission.reserved))
    refund = admission.reserved - charge
    record.credits_micro = charge
    record.reserved_micro = admission.reserved
    record.finish()
    now = time.time()
    s = settings()
    put = {"TableName": s.usage_table, "Item": record.to_item(now),
           "ConditionExpression": "attribute_not_exists(sk)"}
    ddb = client("dynamodb")

    if not refund and not admission.stale_windows:
        try:
            ddb.put_item(**put)
        except ddb.exceptions.ConditionalCheckFailedException:
            pass  # already recorded by an earlier attempt
        return charge

    names = {"#b": "balance"} | {f"#w{i}": w for i, w in enumerate(admission.stale_windows)}
    expression = "SET #b = #b + :refund"
    if admission.stale_windows:
        expression += " REMOVE " + ", ".join(f"#w{i}" for i in range(len(admission.stale_windows)))
    update = {"TableName": s.keys_table, "Key": {"id": {"S": admission.key_id}},
              "UpdateExpression": expression, "ExpressionAttributeNames": names,
              "ExpressionAttributeValues": {":refund": {"N": str(refund)}}}
    for attempt in range(ATTEMPTS):
        try:
            ddb.transact_write_items(TransactItems=[{"Update": update}, {"Put": put}],
                                     ClientRequestToken=record.request_id[:36])
            return charge
        except ddb.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons:
                return charge  # the usage record exists: this settlement already happened
            if attempt == ATTEMPTS - 1:
                raise
        except ddb.exceptions.TransactionInProgressException:
            if attempt == ATTEMPTS - 1:
                raise
        # Another writer holds the item for a moment (TransactionConflict): back off and retry.
        time.sleep(random.uniform(0.005, 0.02) * (2**attempt))
    return charge
