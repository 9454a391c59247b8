"""Per-key storage quota: a byte counter on the key's item, moved only by conditional atomic updates.

    storage = reserve(ref, 1_000)        # before the bytes are written; PayloadTooLarge (413) if they do not fit
    release(key_id, 1_000)               # undo: the write that reserved them failed
    storage.headers()                    # {"x-storage-used-bytes": …, "x-storage-limit-bytes": …}

The condition `used <= limit - size` is checked and the counter raised in the same UpdateItem, so
concurrent uploads can never take a key over its limit (DynamoDB applies one item's conditional
writes atomically; `tollway serve` serializes them in the emulator). The same condition requires
the key to stand (`auth/standing.py`): a revoked key reserves nothing, whatever the key cache says.
Pending uploads hold their declared size until they complete, are cancelled or expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tollway.auth.keys import KeyRef
from tollway.auth.standing import STANDING, refusal_of, standing_values
from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import PayloadTooLarge

USED = "storage_used"


@dataclass(frozen=True)
class Storage:
    used: int
    limit: int

    def headers(self) -> dict[str, str]:
        return {"x-storage-used-bytes": str(self.used), "x-storage-limit-bytes": str(self.limit)}


def _used(item: dict[str, Any] | None) -> int:
    return int((item or {}).get(USED, {}).get("N", 0))


def storage_of(key_id: str) -> Storage:
    item = client("dynamodb").get_item(TableName=settings().keys_table, Key={"id": {"S": key_id}},
                                       ProjectionExpression="#u", ExpressionAttributeNames={"#u": USED},
                                       ConsistentRead=True).get("Item")
    return Storage(_used(item), settings().storage_limit_bytes)


def reserve(ref: KeyRef, size: int) -> Storage:
    """Count `size` more bytes against the key, or refuse: 401 if the key no longer stands, 413 if the
    bytes would exceed its limit."""
    limit = settings().storage_limit_bytes
    if size > limit:
        raise _over_quota(size, storage_of(ref.id))
    ddb = client("dynamodb")
    try:
        result = ddb.update_item(
            TableName=settings().keys_table, Key={"id": {"S": ref.id}},
            UpdateExpression="SET #u = if_not_exists(#u, :zero) + :size",
            ConditionExpression=f"{STANDING} AND (attribute_not_exists(#u) OR #u <= :room)",
            ExpressionAttributeNames={"#u": USED},
            ExpressionAttributeValues={":size": {"N": str(size)}, ":zero": {"N": "0"},
                                       ":room": {"N": str(limit - size)}, **standing_values(ref)},
            ReturnValues="UPDATED_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except ddb.exceptions.ConditionalCheckFailedException as exc:
        item = exc.response.get("Item")
        refused = refusal_of(ref, item)
        if refused is not None:
            raise refused from None
        raise _over_quota(size, Storage(_used(item), limit)) from None
    return Storage(_used(result["Attributes"]), limit)


def release(key_id: str, size: int) -> Storage:
    """Give back `size` bytes (never below zero). Unconditional on the key's standing: it undoes a
    reservation whose write failed, and a revocation must not leave those bytes counted."""
    ddb = client("dynamodb")
    try:
        result = ddb.update_item(
            TableName=settings().keys_table, Key={"id": {"S": key_id}},
            UpdateExpression="SET #u = #u - :size", ConditionExpression="#u >= :size",
            ExpressionAttributeNames={"#u": USED}, ExpressionAttributeValues={":size": {"N": str(size)}},
            ReturnValues="UPDATED_NEW")
    except ddb.exceptions.ConditionalCheckFailedException:
        # Only reachable if the counter was edited by hand: clamp instead of going negative.
        result = ddb.update_item(
            TableName=settings().keys_table, Key={"id": {"S": key_id}}, UpdateExpression="SET #u = :zero",
            ConditionExpression="attribute_exists(id)", ExpressionAttributeNames={"#u": USED},
            ExpressionAttributeValues={":zero": {"N": "0"}}, ReturnValues="UPDATED_NEW")
    return Storage(_used(result["Attributes"]), settings().storage_limit_bytes)


def release_update(key_id: str, size: int, owner: KeyRef | None = None) -> dict[str, Any]:
    """The same release as one TransactWriteItems entry, to commit it with a record change. With
    `owner` (a release the key asks for: deleting a file, cancelling an upload) the key must stand."""
    condition, values = "#u >= :size", {":size": {"N": str(size)}}
    if owner is not None:
        condition, values = f"{STANDING} AND {condition}", values | standing_values(owner)
    return {"Update": {"TableName": settings().keys_table, "Key": {"id": {"S": key_id}},
                       "UpdateExpression": "SET #u = #u - :size", "ConditionExpression": condition,
                       "ExpressionAttributeNames": {"#u": USED}, "ExpressionAttributeValues": values}}


def _over_quota(size: int, storage: Storage) -> PayloadTooLarge:
    free = max(0, storage.limit - storage.used)
    return PayloadTooLarge(
        f"Storage quota exceeded: this file needs {size} bytes and this key has {free} of its {storage.limit} "
        "bytes free. Delete files you no longer need (DELETE /v1/files/{id}) or ask the operator for more room.",
        code="storage_quota_exceeded", headers=storage.headers())
