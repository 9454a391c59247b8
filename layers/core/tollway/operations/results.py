"""Operation inputs and results in S3, under the key's own prefix, shared by presigned URL.

    name = object_key(op.key_id, op.id, "video.mp4")     # keys/<key id>/operations/<op id>/video.mp4
    size = put_file(name, spooled_file, "video/mp4")
    url = presign(name)                                    # valid for an hour

Results are written from a file (a spooled temporary file the worker filled from the upstream's
stream), so a video never has to fit in memory; `MAX_RESULT_BYTES` keeps one within the worker's
ephemeral storage.
"""

from __future__ import annotations

import tempfile
from typing import IO

from tollway.aws_clients import client
from tollway.config import settings

PRESIGN_S = 3600
MAX_RESULT_BYTES = 400 * 1024 * 1024  # within the worker's 512 MB of /tmp
SPOOL_BYTES = 8 * 1024 * 1024  # kept in memory up to this size, then on disk


def object_key(key_id: str, op_id: str, name: str) -> str:
    return f"keys/{key_id}/operations/{op_id}/{name}"


def spool() -> IO[bytes]:
    """A file to collect a result in: memory first, disk beyond SPOOL_BYTES."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it


def put_file(name: str, data: IO[bytes], content_type: str) -> int:
    """Upload `data` from its start (multipart for large files); return its size in bytes."""
    size = data.seek(0, 2)
    data.seek(0)
    client("s3").upload_fileobj(data, settings().files_bucket, name, ExtraArgs={"ContentType": content_type})
    return size


def put_bytes(name: str, data: bytes, content_type: str) -> int:
    client("s3").put_object(Bucket=settings().files_bucket, Key=name, Body=data, ContentType=content_type)
    return len(data)


def get_bytes(name: str) -> bytes:
    body = client("s3").get_object(Bucket=settings().files_bucket, Key=name)["Body"]
    try:
        return body.read()  # type: ignore[no-any-return]
    finally:
        body.close()


def delete_quietly(name: str) -> None:
    try:
        client("s3").delete_object(Bucket=settings().files_bucket, Key=name)
    except Exception:  # noqa: BLE001 - an orphaned object is harmless; the caller's outcome is not
        pass


def discard_input(params: dict[str, object]) -> None:
    """An operation's uploaded input is only for its job: gone once the job has ended."""
    name = params.get("input_key")
    if isinstance(name, str):
        delete_quietly(name)


def presign(name: str, expires_s: int = PRESIGN_S) -> str:
    return client("s3").generate_presigned_url(  # type: ignore[no-any-return]
        "get_object", Params={"Bucket": settings().files_bucket, "Key": name}, ExpiresIn=expires_s)
