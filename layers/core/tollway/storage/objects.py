"""The files bucket: where each object lives, and the few S3 calls the gateway makes.

    put_object(file_key("0123456789abcdef", "file-abc"), b"...", "application/jsonl")
    presigned_get(media_key(key_id, "media_1", "png"), seconds=3600)   # a URL anyone can GET for an hour

Keys are built here and only here: `keys/<key id>/files/<file id>` for the Files API,
`keys/<key id>/media/<media id>.<ext>` for generated media, `keys/<key id>/outputs/<name>` for
results written where an operation's `result_destination` said, and `uploads/<key id>/<upload id>` for
what a client sends to a presigned upload form. Nothing is ever read from `uploads/`: completing an
upload copies the verified object to its file's key, so the form — valid until it expires — can only
ever write where nothing looks (a lifecycle rule deletes what lands there after a day).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tollway.aws_clients import client
from tollway.config import settings

MEDIA_TAG = "tollway-media=1"  # the bucket's lifecycle rule expires objects carrying it
UPLOADS = "uploads/"  # the bucket's lifecycle rule expires objects under it
# One CopyObject copies up to 5 GB; larger copies go in parts (s3transfer), which is also faster.
COPY_IN_PARTS_FROM = 1024**3
COPY_PART_BYTES = 512 * 1024**2


@dataclass(frozen=True)
class PresignedPost:
    """A form to POST to `url`: the `fields`, then the file as the last part, named `file`."""

    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class ObjectVersion:
    size: int
    etag: str


def file_key(key_id: str, file_id: str) -> str:
    return f"keys/{key_id}/files/{file_id}"


def media_key(key_id: str, media_id: str, extension: str) -> str:
    return f"keys/{key_id}/media/{media_id}.{extension}"


def output_key(key_id: str, name: str) -> str:
    """Where `result_destination` writes (storage/refs.py checked `name`: no dot segments, no `%`)."""
    return f"keys/{key_id}/outputs/{name}"


def webhook_topic_key(key_id: str, topic: str) -> str:
    return f"keys/{key_id}/webhooks/{topic}.json"


def list_keys(prefix: str, limit: int) -> list[str]:
    """Up to `limit` object keys under `prefix`, in key order."""
    listed = _s3().list_objects_v2(Bucket=settings().files_bucket, Prefix=prefix, MaxKeys=limit)
    return [item["Key"] for item in listed.get("Contents", ())]


def upload_key(key_id: str, upload_id: str) -> str:
    return f"{UPLOADS}{key_id}/{upload_id}"


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
    if it is larger than `max_bytes` — decided before reading the body when S3 says its length, and
    never reading more than `max_bytes` + 1 bytes whatever it says."""
    s3 = _s3()
    try:
        answer = s3.get_object(Bucket=settings().files_bucket, Key=key)
    except s3.exceptions.NoSuchKey:
        return None
    body = answer["Body"]
    try:
        if int(answer.get("ContentLength") or 0) > max_bytes:
            raise ValueError(f"larger than {max_bytes} bytes")
        data = body.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValueError(f"larger than {max_bytes} bytes")
        return data, str(answer.get("ContentType") or "application/octet-stream"), answer.get("Metadata") or {}
    finally:
        body.close()


def object_version(key: str) -> ObjectVersion | None:
    """The object's size and ETag (HeadObject), or None if there is no such object."""
    s3 = _s3()
    try:
        head = s3.head_object(Bucket=settings().files_bucket, Key=key)
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return ObjectVersion(int(head["ContentLength"]), str(head["ETag"]))


def copy_version(source: str, version: ObjectVersion, target: str, content_type: str, filename: str) -> None:
    """Copy exactly `version` of `source` (S3 refuses if it changed since) to `target`, with the type
    and file name the gateway recorded rather than whatever the client sent."""
    from boto3.s3.transfer import TransferConfig  # lazy: only completing an upload copies

    bucket = settings().files_bucket
    _s3().copy({"Bucket": bucket, "Key": source}, bucket, target,
               ExtraArgs={"CopySourceIfMatch": version.etag, "MetadataDirective": "REPLACE",
                          "ContentType": content_type, "Metadata": {"filename": header_safe(filename)}},
               Config=TransferConfig(multipart_threshold=COPY_IN_PARTS_FROM, multipart_chunksize=COPY_PART_BYTES))


def copy_tagged(source: str, target: str, content_type: str, filename: str, tagging: str) -> None:
    """Copy `source` to `target` inside the bucket (in parts when large), with its own tags."""
    from boto3.s3.transfer import TransferConfig

    bucket = settings().files_bucket
    _s3().copy({"Bucket": bucket, "Key": source}, bucket, target,
               ExtraArgs={"MetadataDirective": "REPLACE", "ContentType": content_type,
                          "Metadata": {"filename": header_safe(filename)}, "TaggingDirective": "REPLACE",
                          "Tagging": tagging},
               Config=TransferConfig(multipart_threshold=COPY_IN_PARTS_FROM, multipart_chunksize=COPY_PART_BYTES))


def delete_object(key: str) -> None:
    """Idempotent: deleting what is not there succeeds."""
    _s3().delete_object(Bucket=settings().files_bucket, Key=key)


def presigned_get(key: str, seconds: int, *, filename: str | None = None) -> str:
    params: dict[str, str] = {"Bucket": settings().files_bucket, "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'attachment; filename="{header_safe(filename)}"'
    return str(_s3().generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))


def presigned_post(key: str, size: int, content_type: str, seconds: int) -> PresignedPost:
    """A form that uploads exactly `size` bytes of type `content_type` to `key` until it expires.
    Both are conditions of the signed policy: S3 refuses any other length or type."""
    answer = _s3().generate_presigned_post(
        Bucket=settings().files_bucket, Key=key, Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]], ExpiresIn=seconds)
    return PresignedPost(str(answer["url"]), {str(k): str(v) for k, v in answer["fields"].items()})


def header_safe(filename: str) -> str:
    """A file name fit for a Content-Disposition header: printable ASCII without quotes."""
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)[:200]
