"""The files bucket: where each object lives, and the few S3 calls the gateway makes.

    put_object(file_key("0123456789abcdef", "file-abc"), b"...", "application/jsonl")
    presigned_get(media_key(key_id, "media_1", "png"), seconds=3600)   # a URL anyone can GET for an hour

Keys are built here and only here: `keys/<key id>/files/<file id>` for the Files API and
`keys/<key id>/media/<media id>.<ext>` for generated media.
"""

from __future__ import annotations

from typing import Any

from tollway.aws_clients import client
from tollway.config import settings

MEDIA_TAG = "tollway-media=1"  # the bucket's lifecycle rule expires objects carrying it


def file_key(key_id: str, file_id: str) -> str:
    return f"keys/{key_id}/files/{file_id}"


def media_key(key_id: str, media_id: str, extension: str) -> str:
    return f"keys/{key_id}/media/{media_id}.{extension}"


def _s3() -> Any:
    return client("s3")


def put_object(key: str, data: bytes, content_type: str, *, tagging: str | None = None,
               filename: str | None = None) -> None:
    extra: dict[str, Any] = {"Tagging": tagging} if tagging else {}
    if filename:
        extra["Metadata"] = {"filename": header_safe(filename)}
    _s3().put_object(Bucket=settings().files_bucket, Key=key, Body=data, ContentType=content_type, **extra)


def get_object_bounded(key: str, max_bytes: int) -> tuple[bytes, str, dict[str, str]] | None:
    """The object's bytes, content type and metadata; None if there is no such object; ValueError
    (before reading the body) if it is larger than `max_bytes`."""
    s3 = _s3()
    try:
        answer = s3.get_object(Bucket=settings().files_bucket, Key=key)
    except s3.exceptions.NoSuchKey:
        return None
    body = answer["Body"]
    try:
        if int(answer.get("ContentLength") or 0) > max_bytes:
            raise ValueError(f"larger than {max_bytes} bytes")
        return body.read(), str(answer.get("ContentType") or "application/octet-stream"), answer.get("Metadata") or {}
    finally:
        body.close()


def get_object(key: str) -> bytes:
    body = _s3().get_object(Bucket=settings().files_bucket, Key=key)["Body"]
    try:
        return body.read()  # type: ignore[no-any-return]
    finally:
        body.close()


def object_size(key: str) -> int | None:
    """The object's size in bytes, or None if there is no such object."""
    s3 = _s3()
    try:
        return int(s3.head_object(Bucket=settings().files_bucket, Key=key)["ContentLength"])
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def delete_object(key: str) -> None:
    """Idempotent: deleting what is not there succeeds."""
    _s3().delete_object(Bucket=settings().files_bucket, Key=key)


def presigned_get(key: str, seconds: int, *, filename: str | None = None) -> str:
    params: dict[str, str] = {"Bucket": settings().files_bucket, "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'attachment; filename="{header_safe(filename)}"'
    return str(_s3().generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))


def presigned_put(key: str, seconds: int) -> str:
    """A URL that accepts one PUT of the object's bytes (any content type) until it expires."""
    return str(_s3().generate_presigned_url("put_object", Params={"Bucket": settings().files_bucket, "Key": key},
                                            ExpiresIn=seconds))


def header_safe(filename: str) -> str:
    """A file name fit for a Content-Disposition header: printable ASCII without quotes."""
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)[:200]
