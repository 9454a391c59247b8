"""A key's standing, checked by the write itself: a revoked key writes nothing, from the moment it
is revoked.

    ddb.update_item(..., ConditionExpression=f"{STANDING} AND #u <= :room",
                    ExpressionAttributeValues={**standing_values(ref), ...})   # a write on the key's item
    ddb.transact_write_items(TransactItems=[put_record, key_check(ref)])        # a write on another table
    raise key_refused(ref)                                                      # after that check failed

The key cache (`authenticate.py`) may answer from memory for a few seconds after a revocation;
that bound is fine for reads, but a write must not trust it. So every write a key makes outside
the credit ledger (files, uploads, the storage counter) carries this condition on the key's item,
in the same UpdateItem or in the same transaction: DynamoDB evaluates it against the item as it is
at that moment, so the revocation — one UpdateItem that returned before the admin was answered —
is always seen. Undoing a write already made (a failed upload's reservation) does not carry it:
a revocation must never leave bytes counted that nothing holds.
"""

from __future__ import annotations

from typing import Any

from tollway.auth.keys import KeyRef
from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import AuthenticationFailed

STANDING = "attribute_exists(id) AND attribute_not_exists(revoked_at) AND key_hash = :key_hash"


def standing_values(ref: KeyRef) -> dict[str, Any]:
    return {":key_hash": {"S": ref.hash}}


def key_check(ref: KeyRef) -> dict[str, Any]:
    """A TransactWriteItems entry that cancels the transaction unless the key stands."""
    return {"ConditionCheck": {"TableName": settings().keys_table, "Key": {"id": {"S": ref.id}},
                               "ConditionExpression": STANDING, "ExpressionAttributeValues": standing_values(ref)}}


def refusal_of(ref: KeyRef, item: dict[str, Any] | None) -> AuthenticationFailed | None:
    """Why the key's item (as DynamoDB returned it on a failed condition) refuses this key; None if it stands."""
    if not item or item.get("key_hash", {}).get("S") != ref.hash:
        return AuthenticationFailed("Invalid API key")
    if "revoked_at" in item:
        return AuthenticationFailed("This API key has been revoked", code="revoked_api_key")
    return None


def refusal(ref: KeyRef) -> AuthenticationFailed | None:
    """After a cancelled transaction: the 401 if the key no longer stands (read consistently), else None."""
    item = client("dynamodb").get_item(TableName=settings().keys_table, Key={"id": {"S": ref.id}},
                                       ProjectionExpression="key_hash, revoked_at", ConsistentRead=True).get("Item")
    return refusal_of(ref, item)


def key_refused(ref: KeyRef) -> AuthenticationFailed:
    """The 401 for a write whose check of the key's item failed."""
    return refusal(ref) or AuthenticationFailed("Invalid API key")


def cancelled_by(exc: Any, index: int) -> bool:
    """Whether entry `index` of a cancelled transaction failed its condition."""
    reasons = exc.response.get("CancellationReasons") or []
    return index < len(reasons) and reasons[index].get("Code") == "ConditionalCheckFailed"
