"""The Files and Uploads endpoints' parameters.

    >>> validate(UploadCreateParams, {"filename": "big.jsonl", "purpose": "batch", "bytes": 50_000_000,
    ...                               "mime_type": "application/jsonl"}).bytes
    50000000
    >>> validate(FileListParams, {"limit": "20", "order": "asc"}).limit
    20
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FilePurpose = Literal["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
# OpenAI allows 8 GB in one Upload; one presigned S3 POST (how the bytes travel here) takes at most 5 GB.
MAX_UPLOAD_BYTES = 5 * 1024**3


class FileCreateParams(BaseModel):
    """The multipart fields besides `file`."""

    model_config = ConfigDict(extra="ignore")  # e.g. expires_after[…], which files here do not do

    purpose: FilePurpose


class FileListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str | None = None
    limit: int = Field(default=10_000, ge=1, le=10_000)
    order: Literal["asc", "desc"] = "desc"
    after: str | None = None


class UploadCreateParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    filename: str = Field(min_length=1, max_length=255)
    purpose: FilePurpose
    bytes: int = Field(ge=1, le=MAX_UPLOAD_BYTES)
    mime_type: str = Field(min_length=1, max_length=255, pattern=r"^[\w.+-]+/[\w.+-]+$")


class UploadCompleteParams(BaseModel):
    """OpenAI's body; the parts are ignored here because the bytes go to S3 in one PUT."""

    model_config = ConfigDict(extra="ignore")

    part_ids: list[str] = Field(default_factory=list)
    md5: str | None = None
