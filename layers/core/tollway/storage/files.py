"""Files: bytes in S3 under the owning key's prefix, metadata in FilesTable, bytes counted in the quota.

    record, storage = create_file(ref, "notes.jsonl", "batch", "application/jsonl", data)   # ref: the KeyRef
    get_file(key_id, record.id).json()     # the OpenAI File object
    read_file(key_id, record.id)           # StoredFile(data, content_type, filename) — e.g. for documents
    delete_file(ref, record.id)

FilesTable is partitioned by key id, so a key can only ever find its own files: another key's id
is simply not there (404). Writes are ordered so that a failure at any step leaves nothing behind:
quota reserved → object put → metadata put, undone in reverse; deletion marks the record, removes
the object, then the record and its bytes from the quota in one transaction (a retry finishes the
job). The first write of each (the reservation, the mark) and the metadata put require the key to
stand (`auth/standing.py`), so a revoked key changes nothing even while the key cache still knows it.

Bytes are read into memory only up to a bound: the size the record holds (verified when the file
was written) and a maximum per use.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tollway.auth.keys import KeyRef
from tollway.auth.standing import cancelled_by, key_check, key_refused
from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import Conflict, NotFound, PayloadTooLarge
from tollway.storage import objects, quota
from tollway.storage.quota import Storage

PREFIX = "file-"
PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
# The most `read_file` holds in memory by default (a document parsed by file_id).
MAX_READ_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class FileRecord:
    id: str
    key_id: str
    bytes: int
    created_at: int
    filename: str
    purpose: str
    content_type: str
    status: str = "processed"

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "object": "file", "bytes": self.bytes, "created_at": self.created_at,
                "filename": self.filename, "purpose": self.purpose, "status": self.status}

    def item(self) -> dict[str, Any]:
        return {"key_id": {"S": self.key_id}, "id": {"S": self.id}, "bytes": {"N": str(self.bytes)},
                "created_at": {"N": str(self.created_at)}, "filename": {"S": self.filename},
                "purpose": {"S": self.purpose}, "content_type": {"S": self.content_type}, "status": {"S": self.status}}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> FileRecord:
        return cls(id=item["id"]["S"], key_id=item["key_id"]["S"], bytes=int(item["bytes"]["N"]),
                   created_at=int(item["created_at"]["N"]), filename=item["filename"]["S"],
                   purpose=item["purpose"]["S"], content_type=item["content_type"]["S"], status=item["status"]["S"])


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str
    filename: str


def new_file_id() -> str:
    return PREFIX + secrets.token_hex(12)


def not_found(file_id: str) -> NotFound:
    return NotFound(f"No such File object: {file_id}", code="file_not_found", param="file_id")


def create_file(owner: KeyRef, filename: str, purpose: str, content_type: str, data: bytes, *,
                reserve: Callable[[KeyRef, int], Storage] = quota.reserve) -> tuple[FileRecord, Storage]:
    """`reserve` counts the bytes against the quota (uploads.reserve_releasing_expired also frees
    what expired uploads held)."""
    key_id = owner.id
    record = FileRecord(new_file_id(), key_id, len(data), int(time.time()), filename, purpose, content_type)
    storage = reserve(owner, record.bytes)
    stored = False
    try:
        objects.put_object(objects.file_key(key_id, record.id), data, content_type, filename=filename)
        stored = True
        put_record(record, owner)
    except BaseException:
        # Undo in reverse: the object, then the reservation. Each undo is attempted even if one fails.
        try:
            if stored:
                objects.delete_object(objects.file_key(key_id, record.id))
        finally:
            quota.release(key_id, record.bytes)
        raise
    return record, storage


def put_record(record: FileRecord, owner: KeyRef) -> None:
    ddb = client("dynamodb")
    try:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": settings().files_table, "Item": record.item(),
                     "ConditionExpression": "attribute_not_exists(id)"}},
            key_check(owner)])
    except ddb.exceptions.TransactionCanceledException as exc:
        if cancelled_by(exc, 1):
            raise key_refused(owner) from None
        raise


def get_file(key_id: str, file_id: str) -> FileRecord:
    if not file_id.startswith(PREFIX):
        raise not_found(file_id)
    item = client("dynamodb").get_item(TableName=settings().files_table,
                                       Key={"key_id": {"S": key_id}, "id": {"S": file_id}},
                                       ConsistentRead=True).get("Item")
    if not item:
        raise not_found(file_id)
    return FileRecord.from_item(item)


def list_files(key_id: str, purpose: str | None = None) -> list[FileRecord]:
    """The key's files, newest first."""
    pages = client("dynamodb").get_paginator("query").paginate(
        TableName=settings().files_table, ConsistentRead=True,
        KeyConditionExpression="key_id = :k AND begins_with(id, :prefix)",
        ExpressionAttributeValues={":k": {"S": key_id}, ":prefix": {"S": PREFIX}})
    records = [FileRecord.from_item(item) for page in pages for item in page.get("Items", [])]
    if purpose:
        records = [r for r in records if r.purpose == purpose]
    return sorted(records, key=lambda r: (r.created_at, r.id), reverse=True)


def read_file(key_id: str, file_id: str, max_bytes: int = MAX_READ_BYTES) -> StoredFile:
    """A file's bytes, for the key that owns it (404 for anyone else); 413 if the file is larger
    than `max_bytes`. Never more than the record's size is read, whatever the object holds."""
    record = get_file(key_id, file_id)
    if record.bytes > max_bytes:
        raise PayloadTooLarge(f"File {file_id} has {record.bytes} bytes; at most {max_bytes} can be used here",
                              code="file_too_large", param="file_id")
    try:
        found = objects.get_object_bounded(objects.file_key(key_id, file_id), record.bytes)
    except ValueError:
        raise Conflict(f"File {file_id} no longer matches its recorded size; delete it and upload it again",
                       code="file_size_mismatch", param="file_id") from None
    if found is None:
        raise not_found(file_id)  # deleted a moment ago
    return StoredFile(found[0], record.content_type, record.filename)


def read_file_object(key_id: str, file_id: str, max_bytes: int) -> StoredFile:
    """A file's bytes straight from S3, for requests that must not spend a DynamoDB read on it (a chat
    message naming a file_id): the object path is under the key's own prefix, so another key's file
    is simply not there (404). Too large → 413."""
    if not file_id.startswith(PREFIX):
        raise not_found(file_id)
    try:
        found = objects.get_object_bounded(objects.file_key(key_id, file_id), max_bytes)
    except ValueError:
        raise PayloadTooLarge(f"File {file_id} is larger than the {max_bytes} bytes a chat message may include",
                              code="file_too_large", param="file_id") from None
    if found is None:
        raise not_found(file_id)
    data, content_type, metadata = found
    return StoredFile(data, content_type, metadata.get("filename") or file_id)


def delete_file(owner: KeyRef, file_id: str) -> Storage:
    key_id = owner.id
    record = get_file(key_id, file_id)
    _mark_deleting(owner, file_id)
    objects.delete_object(objects.file_key(key_id, file_id))
    ddb = client("dynamodb")
    delete = {"Delete": {"TableName": settings().files_table, "Key": {"key_id": {"S": key_id}, "id": {"S": file_id}},
                         "ConditionExpression": "attribute_exists(id)"}}
    try:
        ddb.transact_write_items(TransactItems=[delete, quota.release_update(key_id, record.bytes)])
    except ddb.exceptions.TransactionCanceledException as exc:
        if cancelled_by(exc, 0):
            raise not_found(file_id) from None  # deleted concurrently: that delete released the bytes
        raise
    return quota.storage_of(key_id)


def _mark_deleting(owner: KeyRef, file_id: str) -> None:
    """The deletion's first write, made only while the key stands: before it, nothing has changed."""
    ddb = client("dynamodb")
    try:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": settings().files_table,
                        "Key": {"key_id": {"S": owner.id}, "id": {"S": file_id}},
                        "UpdateExpression": "SET deleting_at = :now", "ConditionExpression": "attribute_exists(id)",
                        "ExpressionAttributeValues": {":now": {"N": str(int(time.time()))}}}},
            key_check(owner)])
    except ddb.exceptions.TransactionCanceledException as exc:
        if cancelled_by(exc, 1):
            raise key_refused(owner) from None
        if cancelled_by(exc, 0):
            raise not_found(file_id) from None
        raise
