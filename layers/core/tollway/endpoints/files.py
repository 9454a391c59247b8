"""The Files and Uploads APIs: scope checks, then storage. Nothing here is priced.

    reply = await create_file(caller, lambda: read_form(request))   # → ({"purpose": "batch"}, {"file": [blob]})
    reply.body                   # the OpenAI File object
    reply.headers                # x-storage-used-bytes, x-storage-limit-bytes

Reading (list, retrieve, content) needs `ai:read`; creating, uploading and deleting `ai:generate`.
Every answer after authentication — errors included — carries the key's storage headers. The key
cache lets a revoked key read for at most its TTL; every write here checks the key's item itself
(storage re-checks it in the write's own condition), so a revoked key writes nothing.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.auth.keys import KeyRef
from tollway.config import settings
from tollway.endpoints.reply import Reply
from tollway.errors import AuthenticationFailed, InvalidRequest, TollwayError
from tollway.storage import files, objects, uploads
from tollway.storage.quota import storage_of
from tollway.wire.media_types import Blob
from tollway.wire.openai_files import FileCreateParams, FileListParams, UploadCompleteParams, UploadCreateParams
from tollway.wire.validation import validate

READ, WRITE = "ai:read", "ai:generate"
USE_UPLOADS = ("Upload larger files with POST /v1/uploads {filename, purpose, bytes, mime_type}: it answers a "
               "presigned upload_url and the upload_fields to POST the file with (multipart, the file last, "
               "named `file`), then POST /v1/uploads/{id}/complete turns them into a File")
# Larger contents are answered with a redirect to a presigned S3 URL: a buffered Lambda response
# carries at most 6 MB, and binary bodies travel base64-encoded (4/3 larger).
INLINE_CONTENT_BYTES = 4 * 1024 * 1024


async def create_file(caller: Caller, read_form: Callable[[], Awaitable[tuple[dict[str, Any], dict[str, list[Blob]]]]]
                      ) -> Reply:
    """`read_form` reads the multipart body — after authentication, so its errors carry the headers too."""
    async def work(owner: KeyRef) -> Reply:
        fields, parts = await read_form()
        params = validate(FileCreateParams, fields)
        sent = parts.get("file") or []
        if not sent:
            raise InvalidRequest("file: upload the file as a multipart part named `file`", code="missing_file",
                                 param="file")
        upload = sent[0]
        if not upload.data:
            raise InvalidRequest("file: the file is empty", code="empty_file", param="file")
        filename = upload.filename or "file"
        content_type = _content_type(upload.content_type, filename)
        record, storage = await anyio.to_thread.run_sync(
            lambda: files.create_file(owner, filename, params.purpose, content_type, upload.data,
                                      reserve=uploads.reserve_releasing_expired))
        return Reply(storage.headers(), body=record.json())

    return await _as_key(caller, WRITE, work)


async def list_files(caller: Caller, query: dict[str, Any]) -> Reply:
    async def work(owner: KeyRef) -> Reply:
        params = validate(FileListParams, query)
        records = await anyio.to_thread.run_sync(files.list_files, owner.id, params.purpose)
        if params.order == "asc":
            records.reverse()
        if params.after is not None:
            ids = [r.id for r in records]
            records = records[ids.index(params.after) + 1:] if params.after in ids else []
        page = records[:params.limit]
        return Reply({}, body={"object": "list", "data": [r.json() for r in page],
                                "first_id": page[0].id if page else None, "last_id": page[-1].id if page else None,
                                "has_more": len(records) > len(page)})

    return await _as_key(caller, READ, work)


async def retrieve_file(caller: Caller, file_id: str) -> Reply:
    async def work(owner: KeyRef) -> Reply:
        return Reply({}, body=(await anyio.to_thread.run_sync(files.get_file, owner.id, file_id)).json())

    return await _as_key(caller, READ, work)


async def delete_file(caller: Caller, file_id: str) -> Reply:
    async def work(owner: KeyRef) -> Reply:
        storage = await anyio.to_thread.run_sync(files.delete_file, owner, file_id)
        return Reply(storage.headers(), body={"id": file_id, "object": "file", "deleted": True})

    return await _as_key(caller, WRITE, work)


async def file_content(caller: Caller, file_id: str) -> Reply:
    async def work(owner: KeyRef) -> Reply:
        key_id = owner.id
        record = await anyio.to_thread.run_sync(files.get_file, key_id, file_id)
        disposition = f'attachment; filename="{objects.header_safe(record.filename)}"'
        if record.bytes > INLINE_CONTENT_BYTES:
            url = await anyio.to_thread.run_sync(
                lambda: objects.presigned_get(objects.file_key(key_id, file_id), settings().media_url_ttl_s,
                                              filename=record.filename))
            return Reply({"location": url}, status=302)
        stored = await anyio.to_thread.run_sync(files.read_file, key_id, file_id, INLINE_CONTENT_BYTES)
        return Reply({"content-disposition": disposition}, content=stored.data, content_type=stored.content_type)

    return await _as_key(caller, READ, work)


async def create_upload(caller: Caller, read_body: Callable[[], Awaitable[dict[str, Any]]]) -> Reply:
    async def work(owner: KeyRef) -> Reply:
        params = validate(UploadCreateParams, await read_body())
        upload, form, storage = await anyio.to_thread.run_sync(
            uploads.create_upload, owner, params.filename, params.purpose, params.bytes, params.mime_type)
        return Reply(storage.headers(), body=upload.json() | {"upload_url": form.url, "upload_method": "POST",
                                                               "upload_fields": form.fields})

    return await _as_key(caller, WRITE, work)


async def complete_upload(caller: Caller, upload_id: str, read_body: Callable[[], Awaitable[dict[str, Any]]]) -> Reply:
    async def work(owner: KeyRef) -> Reply:
        validate(UploadCompleteParams, await read_body())
        upload, file = await anyio.to_thread.run_sync(uploads.complete_upload, owner, upload_id)
        return Reply({}, body=upload.json(file))

    return await _as_key(caller, WRITE, work)


async def cancel_upload(caller: Caller, upload_id: str) -> Reply:
    async def work(owner: KeyRef) -> Reply:
        upload, storage = await anyio.to_thread.run_sync(uploads.cancel_upload, owner, upload_id)
        return Reply(storage.headers(), body=upload.json())

    return await _as_key(caller, WRITE, work)


async def _as_key(caller: Caller, scope: str, work: Callable[[KeyRef], Awaitable[Reply]]) -> Reply:
    """Authenticate for `scope`, run `work` with the key (its id and the hash its writes must match),
    and add the storage headers to whatever it answers (raised errors too, but not a key refused by
    a write: that answer tells nothing more than any other 401)."""
    record = await caller.verified(scope)
    try:
        reply = await work(KeyRef(record.id, record.key_hash))
    except TollwayError as exc:
        if "x-storage-used-bytes" not in exc.headers and not isinstance(exc, AuthenticationFailed):
            exc.headers = exc.headers | (await anyio.to_thread.run_sync(storage_of, record.id)).headers()
        raise
    if "x-storage-used-bytes" not in reply.headers:
        reply.headers |= (await anyio.to_thread.run_sync(storage_of, record.id)).headers()
    return reply


def _content_type(declared: str | None, filename: str) -> str:
    media_type = (declared or "").split(";", 1)[0].strip().lower()
    if media_type and media_type not in ("application/octet-stream", "binary/octet-stream"):
        return media_type
    guessed, _ = mimetypes.guess_type(filename)
    if guessed:
        return guessed
    return "application/jsonl" if filename.lower().endswith(".jsonl") else "application/octet-stream"
