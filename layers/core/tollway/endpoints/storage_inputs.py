"""`storage_ref: {bucket_id, key}` wherever a file is taken: the object, read from the caller's own
storage, becomes the request's file as if it had been uploaded (and gets the same checks).

    fields, files = await with_storage_ref(caller, fields, files, "file")   # audio to transcribe
    fields, files = await with_storage_ref(caller, fields, files, "image")  # an image to edit or vary

What `bucket_id` names is storage/refs.py's: `files` (a Files API object by file id; completed
presigned uploads are files) or `outputs` (what async requests wrote with `result_destination`). The
reference's shape is checked first (400 naming `storage_ref.bucket_id` / `storage_ref.key`); the key
is verified before S3 is asked, so another key's object is a 404 exactly like a missing one and a
forged key learns nothing.
"""

from __future__ import annotations

import json
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.errors import InvalidRequest
from tollway.storage.refs import read_ref, storage_ref
from tollway.wire.media_types import Blob

SCOPE = "ai:generate"
FIELD = "storage_ref"
MAX_INPUT_BYTES = 64 * 1024 * 1024  # the largest file any of these routes takes in one request


async def with_storage_ref(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]], name: str,
                           max_bytes: int = MAX_INPUT_BYTES) -> tuple[dict[str, Any], dict[str, list[Blob]]]:
    """`fields` without `storage_ref`, and `files` with its object as the `name` file."""
    value = fields.get(FIELD)
    if value is None:
        return fields, files
    if isinstance(value, str):  # a multipart form field: the reference as JSON text
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidRequest(f"{FIELD}: must be an object {{\"bucket_id\", \"key\"}} (JSON in a form)",
                                 code="invalid_value", param=FIELD) from None
    ref = storage_ref(value, param=FIELD)
    if files.get(name) or fields.get(name) is not None:
        raise InvalidRequest(f"{FIELD}: send the {name} once: as a storage reference or as the file, not both",
                             code="invalid_value", param=FIELD)
    record = await caller.verified(SCOPE)
    stored = await anyio.to_thread.run_sync(lambda: read_ref(record.id, ref, max_bytes, param=FIELD))
    rest = {k: v for k, v in fields.items() if k != FIELD}
    return rest, files | {name: [Blob(stored.data, stored.filename, stored.content_type)]}
