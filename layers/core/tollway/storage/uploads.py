"""Uploads larger than a Lambda request can carry: the client PUTs the bytes straight to S3.

    upload, url, storage = create_upload(key_id, "big.jsonl", "batch", 50_000_000, "application/jsonl")
    httpx.put(url, content=data)                      # presigned S3 PUT, valid settings().upload_ttl_s
    upload, file = complete_upload(key_id, upload.id) # HeadObject checks the declared size → a File

The declared size is reserved against the quota when the upload is created, so the PUT can never
take a key over it; completing turns the reservation into the file's (the upload and file records
change in one transaction). An upload that is cancelled, or expires without being completed, gives
its bytes back: expiry is applied lazily — when the upload is completed or cancelled too late, and
whenever the key's quota refuses a write (see `release_expired`).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import InvalidRequest, NotFound, PayloadTooLarge
from tollway.storage import objects, quota
from tollway.storage.files import FileRecord, get_file, new_file_id
from tollway.storage.quota import Storage

PREFIX = "upload_"


@dataclass(frozen=True)
class UploadRecord:
    id: str
    key_id: str
    bytes: int
    created_at: int
    expires_at: int
    filename: str
    purpose: str
    mime_type: str
    file_id: str  # the File it becomes, and the S3 key the bytes are PUT to
    status: str = "pending"  # pending | completed | cancelled | expired

    def json(self, file: FileRecord | None = None) -> dict[str, Any]:
        return {"id": self.id, "object": "upload", "bytes": self.bytes, "created_at": self.created_at,
                "expires_at": self.expires_at, "filename": self.filename, "purpose": self.purpose,
                "status": self.status, "file": file.json() if file else None}

    def file(self) -> FileRecord:
        return FileRecord(self.file_id, self.key_id, self.bytes, int(time.time()), self.filename, self.purpose,
                          self.mime_type)

    def item(self) -> dict[str, Any]:
        return {"key_id": {"S": self.key_id}, "id": {"S": self.id}, "bytes": {"N": str(self.bytes)},
                "created_at": {"N": str(self.created_at)}, "expires_at": {"N": str(self.expires_at)},
                "filename": {"S": self.filename}, "purpose": {"S": self.purpose}, "mime_type": {"S": self.mime_type},
                "file_id": {"S": self.file_id}, "status": {"S": self.status}}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> UploadRecord:
        return cls(id=item["id"]["S"], key_id=item["key_id"]["S"], bytes=int(item["bytes"]["N"]),
                   created_at=int(item["created_at"]["N"]), expires_at=int(item["expires_at"]["N"]),
                   filename=item["filename"]["S"], purpose=item["purpose"]["S"], mime_type=item["mime_type"]["S"],
                   file_id=item["file_id"]["S"], status=item["status"]["S"])


def create_upload(key_id: str, filename: str, purpose: str, size: int,
                  mime_type: str) -> tuple[UploadRecord, str, Storage]:
    now = int(time.time())
    ttl = settings().upload_ttl_s
    record = UploadRecord(PREFIX + secrets.token_hex(12), key_id, size, now, now + ttl, filename, purpose,
                          mime_type, new_file_id())
    storage = reserve_releasing_expired(key_id, size)
    try:
        client("dynamodb").put_item(TableName=settings().files_table, Item=record.item(),
                                    ConditionExpression="attribute_not_exists(id)")
    except BaseException:
        quota.release(key_id, size)
        raise
    return record, objects.presigned_put(objects.file_key(key_id, record.file_id), ttl), storage


def get_upload(key_id: str, upload_id: str) -> UploadRecord:
    item = None
    if upload_id.startswith(PREFIX):
        item = client("dynamodb").get_item(TableName=settings().files_table,
                                           Key={"key_id": {"S": key_id}, "id": {"S": upload_id}},
                                           ConsistentRead=True).get("Item")
    if not item:
        raise NotFound(f"No such Upload object: {upload_id}", code="upload_not_found", param="upload_id")
    return UploadRecord.from_item(item)


def complete_upload(key_id: str, upload_id: str, now: float | None = None) -> tuple[UploadRecord, FileRecord]:
    upload = get_upload(key_id, upload_id)
    if upload.status == "completed":
        return upload, get_file(key_id, upload.file_id)  # completing twice answers the same
    _still_pending(upload, time.time() if now is None else now)
    key = objects.file_key(key_id, upload.file_id)
    size = objects.object_size(key)
    if size is None:
        raise InvalidRequest(f"Nothing has been uploaded for {upload_id} yet: PUT the bytes to its upload_url first",
                             code="upload_incomplete", param="upload_id")
    if size != upload.bytes:
        objects.delete_object(key)  # the upload stays pending: PUT the right bytes again
        raise InvalidRequest(f"The uploaded object has {size} bytes but the upload declared {upload.bytes}; "
                             "PUT the file again to upload_url", code="upload_size_mismatch", param="bytes")
    done, file = replace(upload, status="completed"), upload.file()
    ddb = client("dynamodb")
    try:
        ddb.transact_write_items(TransactItems=[
            _change_status(upload, "completed"),
            {"Put": {"TableName": settings().files_table, "Item": file.item(),
                     "ConditionExpression": "attribute_not_exists(id)"}}])
    except ddb.exceptions.TransactionCanceledException:
        current = get_upload(key_id, upload_id)
        if current.status == "completed":  # a concurrent completion won
            return current, get_file(key_id, current.file_id)
        raise _not_pending(current) from None
    return done, file


def cancel_upload(key_id: str, upload_id: str, now: float | None = None) -> tuple[UploadRecord, Storage]:
    upload = get_upload(key_id, upload_id)
    _still_pending(upload, time.time() if now is None else now)
    if not _end(upload, "cancelled"):
        raise _not_pending(get_upload(key_id, upload_id))
    return replace(upload, status="cancelled"), quota.storage_of(key_id)


def release_expired(key_id: str, now: float | None = None) -> int:
    """End the key's pending uploads whose time is up and give back their bytes; returns the bytes freed."""
    now = time.time() if now is None else now
    pages = client("dynamodb").get_paginator("query").paginate(
        TableName=settings().files_table, ConsistentRead=True,
        KeyConditionExpression="key_id = :k AND begins_with(id, :prefix)",
        FilterExpression="#s = :pending AND expires_at < :now", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":k": {"S": key_id}, ":prefix": {"S": PREFIX}, ":pending": {"S": "pending"},
                                   ":now": {"N": str(int(now))}})
    freed = 0
    for page in pages:
        for item in page.get("Items", []):
            upload = UploadRecord.from_item(item)
            if _end(upload, "expired"):
                freed += upload.bytes
    return freed


def reserve_releasing_expired(key_id: str, size: int) -> Storage:
    """Reserve `size` bytes; if the quota refuses, release the key's expired uploads and try once more."""
    try:
        return quota.reserve(key_id, size)
    except PayloadTooLarge:
        if not release_expired(key_id):
            raise
        return quota.reserve(key_id, size)


def _still_pending(upload: UploadRecord, now: float) -> None:
    if upload.status == "pending" and upload.expires_at < now:
        _end(upload, "expired")
        upload = replace(upload, status="expired")
    if upload.status != "pending":
        raise _not_pending(upload)


def _not_pending(upload: UploadRecord) -> InvalidRequest:
    return InvalidRequest(f"Upload {upload.id} is {upload.status}; create a new upload",
                         code=f"upload_{upload.status}", param="upload_id")


def _end(upload: UploadRecord, status: str) -> bool:
    """pending → `status`, releasing its bytes in the same transaction; False if it was no longer pending."""
    ddb = client("dynamodb")
    try:
        ddb.transact_write_items(TransactItems=[_change_status(upload, status),
                                                quota.release_update(upload.key_id, upload.bytes)])
    except ddb.exceptions.TransactionCanceledException:
        return False
    # The client may have PUT something; nothing may stay behind uncounted.
    objects.delete_object(objects.file_key(upload.key_id, upload.file_id))
    return True


def _change_status(upload: UploadRecord, status: str) -> dict[str, Any]:
    return {"Update": {"TableName": settings().files_table,
                       "Key": {"key_id": {"S": upload.key_id}, "id": {"S": upload.id}},
                       "UpdateExpression": "SET #s = :new", "ConditionExpression": "#s = :pending",
                       "ExpressionAttributeNames": {"#s": "status"},
                       "ExpressionAttributeValues": {":new": {"S": status}, ":pending": {"S": "pending"}}}}
