"""Uploads larger than a Lambda request can carry: the client POSTs the bytes straight to S3.

    upload, form, storage = create_upload(ref, "big.jsonl", "batch", 50_000_000, "application/jsonl")
    httpx.post(form.url, data=form.fields, files={"file": data})   # presigned S3 POST, valid upload_ttl_s
    upload, file = complete_upload(ref, upload.id)                 # the object's real size checked → a File

The form's signed policy binds the key, the exact size and the type, so S3 refuses anything else.
It writes to a staging key (`uploads/<key id>/<upload id>`) that nothing reads: completing checks
the staged object's real size (HeadObject; the gateway's own check, whatever S3 enforced), copies
exactly that version to the file's key with the recorded type, and only then records the File. So
the form, which stays valid until it expires, can never change a File's bytes after completion, and
an upload's file id names nothing (404 everywhere) until it is completed.

The declared size is reserved against the quota when the upload is created, so the upload can never
take a key over it; completing turns the reservation into the file's (the upload and file records
change in one transaction). An upload that is cancelled, or expires without being completed, gives
its bytes back: expiry is applied lazily — when the upload is completed or cancelled too late, and
whenever the key's quota refuses a write (see `release_expired`). Creating, completing and
cancelling require the key to stand (`auth/standing.py`) in the same write.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

from tollway.auth.keys import KeyRef
from tollway.auth.standing import cancelled_by, key_check, key_refused, refusal
from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import InvalidRequest, NotFound, PayloadTooLarge
from tollway.storage import objects, quota
from tollway.storage.files import FileRecord, get_file, new_file_id
from tollway.storage.objects import PresignedPost
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
    file_id: str  # the File it becomes (its S3 key is written only by completion)
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


def create_upload(owner: KeyRef, filename: str, purpose: str, size: int,
                  mime_type: str) -> tuple[UploadRecord, PresignedPost, Storage]:
    now = int(time.time())
    ttl = settings().upload_ttl_s
    record = UploadRecord(PREFIX + secrets.token_hex(12), owner.id, size, now, now + ttl, filename, purpose,
                          mime_type, new_file_id())
    storage = reserve_releasing_expired(owner, size)
    ddb = client("dynamodb")
    try:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": settings().files_table, "Item": record.item(),
                     "ConditionExpression": "attribute_not_exists(id)"}},
            key_check(owner)])
    except BaseException as exc:
        quota.release(owner.id, size)
        if isinstance(exc, ddb.exceptions.TransactionCanceledException) and cancelled_by(exc, 1):
            raise key_refused(owner) from None
        raise
    form = objects.presigned_post(objects.upload_key(owner.id, record.id), size, mime_type, ttl)
    return record, form, storage


def get_upload(key_id: str, upload_id: str) -> UploadRecord:
    item = None
    if upload_id.startswith(PREFIX):
        item = client("dynamodb").get_item(TableName=settings().files_table,
                                           Key={"key_id": {"S": key_id}, "id": {"S": upload_id}},
                                           ConsistentRead=True).get("Item")
    if not item:
        raise NotFound(f"No such Upload object: {upload_id}", code="upload_not_found", param="upload_id")
    return UploadRecord.from_item(item)


def complete_upload(owner: KeyRef, upload_id: str, now: float | None = None) -> tuple[UploadRecord, FileRecord]:
    key_id = owner.id
    upload = get_upload(key_id, upload_id)
    if upload.status == "completed":
        return upload, get_file(key_id, upload.file_id)  # completing twice answers the same
    _still_pending(upload, time.time() if now is None else now)
    staged = objects.upload_key(key_id, upload.id)
    version = objects.object_version(staged)
    if version is None:
        raise InvalidRequest(f"Nothing has been uploaded for {upload_id} yet: POST the file to its upload_url "
                             "with its upload_fields first", code="upload_incomplete", param="upload_id")
    if version.size != upload.bytes:
        objects.delete_object(staged)  # the upload stays pending: send the right bytes again
        raise _size_mismatch(upload, version.size)
    final = objects.file_key(key_id, upload.file_id)
    _copy_verified(upload, staged, version, final)
    # The object is at the file's key but no record names it yet: the commit below makes it a File,
    # and if the commit is refused the object goes, so a pending upload's file id never has content.
    done, file = replace(upload, status="completed"), upload.file()
    ddb = client("dynamodb")
    try:
        ddb.transact_write_items(TransactItems=[
            _change_status(upload, "completed"),
            {"Put": {"TableName": settings().files_table, "Item": file.item(),
                     "ConditionExpression": "attribute_not_exists(id)"}},
            key_check(owner)])
    except ddb.exceptions.TransactionCanceledException as exc:
        current = get_upload(key_id, upload_id)
        if current.status == "completed":  # a concurrent completion won (and copied the same version)
            return current, get_file(key_id, current.file_id)
        objects.delete_object(final)
        if cancelled_by(exc, 2):
            raise key_refused(owner) from None
        raise _not_pending(current) from None
    objects.delete_object(staged)  # if this fails, the bucket's lifecycle rule removes it
    return done, file


def _copy_verified(upload: UploadRecord, staged: str, version: objects.ObjectVersion, final: str) -> None:
    """Copy the staged version whose size was checked to the file's key, then check the copy's size:
    if the staged object changed in between (S3 refuses the copy; an emulator may not), nothing stays."""
    s3 = client("s3")
    try:
        objects.copy_version(staged, version, final, upload.mime_type, upload.filename)
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("PreconditionFailed", "412", "404", "NoSuchKey"):
            raise
        raise InvalidRequest(f"The object uploaded for {upload.id} changed while it was being completed; "
                             "complete the upload again", code="upload_changed", param="upload_id") from None
    copied = objects.object_version(final)
    if copied is None or copied.size != upload.bytes:
        objects.delete_object(final)
        objects.delete_object(staged)
        raise _size_mismatch(upload, 0 if copied is None else copied.size)


def _size_mismatch(upload: UploadRecord, size: int) -> InvalidRequest:
    return InvalidRequest(f"The uploaded object has {size} bytes but the upload declared {upload.bytes}; "
                          "send the file again to upload_url", code="upload_size_mismatch", param="bytes")


def cancel_upload(owner: KeyRef, upload_id: str, now: float | None = None) -> tuple[UploadRecord, Storage]:
    upload = get_upload(owner.id, upload_id)
    _still_pending(upload, time.time() if now is None else now)
    if not _end(upload, "cancelled", owner):
        raise _not_pending(get_upload(owner.id, upload_id))
    return replace(upload, status="cancelled"), quota.storage_of(owner.id)


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


def reserve_releasing_expired(owner: KeyRef, size: int) -> Storage:
    """Reserve `size` bytes; if the quota refuses, release the key's expired uploads and try once more."""
    try:
        return quota.reserve(owner, size)
    except PayloadTooLarge:
        if not release_expired(owner.id):
            raise
        return quota.reserve(owner, size)


def _still_pending(upload: UploadRecord, now: float) -> None:
    if upload.status == "pending" and upload.expires_at < now:
        _end(upload, "expired")
        upload = replace(upload, status="expired")
    if upload.status != "pending":
        raise _not_pending(upload)


def _not_pending(upload: UploadRecord) -> InvalidRequest:
    return InvalidRequest(f"Upload {upload.id} is {upload.status}; create a new upload",
                         code=f"upload_{upload.status}", param="upload_id")


def _end(upload: UploadRecord, status: str, owner: KeyRef | None = None) -> bool:
    """pending → `status`, releasing its bytes in the same transaction; False if it was no longer pending.
    With `owner` (the key asks for it, rather than the upload running out of time) the key must stand."""
    ddb = client("dynamodb")
    try:
        ddb.transact_write_items(TransactItems=[_change_status(upload, status),
                                                quota.release_update(upload.key_id, upload.bytes, owner)])
    except ddb.exceptions.TransactionCanceledException as exc:
        # The release also fails on a counter edited below the upload's size: then only the key can say why.
        refused = refusal(owner) if owner is not None and cancelled_by(exc, 1) else None
        if refused is not None:
            raise refused from None
        return False
    # The client may have sent something, and a completion may be copying it: nothing may stay behind uncounted.
    objects.delete_object(objects.upload_key(upload.key_id, upload.id))
    objects.delete_object(objects.file_key(upload.key_id, upload.file_id))
    return True


def _change_status(upload: UploadRecord, status: str) -> dict[str, Any]:
    return {"Update": {"TableName": settings().files_table,
                       "Key": {"key_id": {"S": upload.key_id}, "id": {"S": upload.id}},
                       "UpdateExpression": "SET #s = :new", "ConditionExpression": "#s = :pending",
                       "ExpressionAttributeNames": {"#s": "status"},
                       "ExpressionAttributeValues": {":new": {"S": status}, ":pending": {"S": "pending"}}}}
