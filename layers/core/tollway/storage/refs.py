"""Objects of the caller's own storage named by `{bucket_id, key}`: `storage_ref` inputs and the
`result_destination` of operations.

    ref = storage_ref({"bucket_id": "files", "key": "file-abc"}, param="storage_ref")
    data = read_ref(key_id, ref, max_bytes)             # 404 if this key has no such object
    write_output(key_id, ref, data, "application/json")  # result_destination: "outputs" only

What `bucket_id` names (there is one bucket; these are spaces in it, all under the key's prefix):
- `files`: the key's Files API objects, `key` is the file id (`file-…`); completed presigned uploads
  are files too. Read only (the Files API writes them).
- `outputs`: what operations wrote for the key (`result_destination`), `key` a path of the key's
  choosing (`reports/june.json`). Read and write; kept a day, like generated media.
`key` follows the upstream id grammar (segments of letters, digits and `. _ - @ :`, no `.`/`..`
segment, no `%`, NUL, leading `/`, at most 512 characters): a 400 naming `<param>.key` otherwise.
Another key's object is a 404 exactly like a missing one: the path is always under the caller's
own prefix, so it is simply not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tollway.errors import InvalidRequest, NotFound, PayloadTooLarge
from tollway.storage import objects
from tollway.storage.files import PREFIX as FILE_PREFIX
from tollway.upstream_ids import id_problem

BUCKETS = ("files", "outputs")
WRITABLE = ("outputs",)


@dataclass(frozen=True)
class StorageRef:
    bucket_id: str
    key: str


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str
    filename: str


def storage_ref(value: Any, *, param: str, writable: bool = False) -> StorageRef:
    """`value` as a reference into the caller's storage, or a 400 naming the field that is wrong."""
    if not isinstance(value, dict):
        raise InvalidRequest(f"{param}: must be an object {{\"bucket_id\", \"key\"}}", code="invalid_value",
                             param=param)
    extra = sorted(set(value) - {"bucket_id", "key"})
    if extra:
        raise InvalidRequest(f"{param}.{extra[0][:64]}: is not a field of a storage reference (bucket_id, key)",
                             code="invalid_value", param=f"{param}.{extra[0][:64]}")
    allowed = WRITABLE if writable else BUCKETS
    bucket = value.get("bucket_id")
    if bucket not in allowed:
        shown = repr(bucket)[:64]
        raise InvalidRequest(f"{param}.bucket_id: {shown} is not a bucket this key can "
                             f"{'write to' if writable else 'read from'}; use one of {', '.join(allowed)}",
                             code="unknown_bucket", param=f"{param}.bucket_id")
    key = value.get("key")
    problem = id_problem(key, namespaced=True)
    if problem is None and bucket == "files" and (not key.startswith(FILE_PREFIX) or "/" in key):
        problem = f"must be a file id ({FILE_PREFIX}…) in the files bucket"
    if problem is not None:
        raise InvalidRequest(f"{param}.key: {problem}", code="invalid_value", param=f"{param}.key")
    return StorageRef(bucket, key)


def _path(key_id: str, ref: StorageRef) -> str:
    return objects.file_key(key_id, ref.key) if ref.bucket_id == "files" else objects.output_key(key_id, ref.key)


def read_ref(key_id: str, ref: StorageRef, max_bytes: int, *, param: str) -> StoredObject:
    try:
        found = objects.get_object_bounded(_path(key_id, ref), max_bytes)
    except ValueError:
        raise PayloadTooLarge(f"{param}: the object is larger than the {max_bytes} bytes this request takes",
                              code="file_too_large", param=param) from None
    if found is None:
        raise NotFound(f"{param}: no object {ref.key!r} in bucket {ref.bucket_id!r}", code="object_not_found",
                       param=param)
    data, content_type, metadata = found
    return StoredObject(data, content_type, metadata.get("filename") or ref.key.rsplit("/", 1)[-1])


def copy_to_output(key_id: str, ref: StorageRef, source: str, content_type: str) -> None:
    """Copy the object at `source` (an operation's result) to `ref`, an `outputs` reference of the
    same key: kept a day, like generated media (the bucket's lifecycle rule reads the tag)."""
    if ref.bucket_id not in WRITABLE:
        raise InvalidRequest(f"result_destination.bucket_id: {ref.bucket_id!r} cannot be written",
                             code="unknown_bucket", param="result_destination.bucket_id")
    objects.copy_tagged(source, _path(key_id, ref), content_type, ref.key.rsplit("/", 1)[-1], objects.MEDIA_TAG)
