"""Checkpoints: a long stream writes what it owes so far onto its hold.

    checkpoint(admission, owed_micro)     # True while the hold is still there

If the process dies mid-stream (or the request somehow outlives its hold), the sweeper charges the
hold's `charged` and refunds only the rest, so what a client already received is never free. One
conditional UpdateItem, made every TOLLWAY_CHECKPOINT_SECONDS of a stream — never on short ones.
"""

from __future__ import annotations

from tollway.aws_clients import client
from tollway.config import settings
from tollway.ledger.holds import PENDING, Admission


def checkpoint(admission: Admission, owed: int) -> bool:
    """Record `owed` µc on the request's hold; False if the hold is gone (swept). Like a settlement,
    what the sweeper then charges may exceed the hold (the rest comes out of the balance)."""
    ddb = client("dynamodb")
    try:
        ddb.update_item(
            TableName=settings().keys_table, Key={"id": {"S": admission.holder}},
            UpdateExpression="SET #p.#hold.charged = :owed",
            ConditionExpression="attribute_exists(#p.#hold)",
            ExpressionAttributeNames={"#p": PENDING, "#hold": admission.hold_id},
            ExpressionAttributeValues={":owed": {"N": str(max(0, owed))}})
    except ddb.exceptions.ConditionalCheckFailedException:
        return False
    return True
