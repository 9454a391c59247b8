"""Request bodies of the documents endpoints: POST /v1/documents/parse and /v1/documents/chunk.

    >>> from tollway.wire.validation import validate
    >>> request = validate(ParseDocumentRequest, {"data": "SGVsbG8=", "filename": "hello.txt"})
    >>> request.data
    b'Hello'
    >>> validate(ChunkRequest, {"text": "…", "max_chars": 1000}).overlap_chars   # default: a tenth
    100

Multipart uploads are read by the HTTP edge and never reach these models.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from tollway.documents.chunk import MAX_MAX_CHARS, MAX_OVERLAP_CHARS, MIN_MAX_CHARS
from tollway.documents.model import ParsedDocument, TextBlock
from tollway.wire.base64_data import data_url_type, decode_base64
from tollway.wire.operations import MAX_URL_LENGTH, webhook_url_shape


class ParseDocumentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    file_id: str | None = Field(default=None, min_length=1, max_length=200)
    data: bytes | None = Field(default=None, validate_default=True,
                               description="the file, base64-encoded (a data: URL prefix is accepted)")
    filename: str | None = Field(default=None, min_length=1, max_length=255)
    content_type: str | None = Field(default=None, min_length=1, max_length=255)
    async_: bool = Field(default=False, alias="async")
    webhook_url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)

    @model_validator(mode="before")
    @classmethod
    def _content_type_from_data_url(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and isinstance(raw.get("data"), str) and not raw.get("content_type"):
            declared = data_url_type(raw["data"])
            if declared:
                return {**raw, "content_type": declared}
        return raw

    @field_validator("data", mode="before")
    @classmethod
    def _decode(cls, value: Any, info: ValidationInfo) -> bytes | None:
        has_file_id = info.data.get("file_id") is not None
        if value is None:
            if not has_file_id:
                raise ValueError("provide the file as data (base64) or file_id")
            return None
        if has_file_id:
            raise ValueError("provide either data or file_id, not both")
        if not isinstance(value, str):
            raise ValueError("must be a base64-encoded string")
        return decode_base64(value)[0]

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        return webhook_url_shape(value)


class ParseUploadOptions(BaseModel):
    """The fields beside a multipart upload's `file` (form values arrive as strings: "true" is true)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    filename: str | None = Field(default=None, min_length=1, max_length=255)
    content_type: str | None = Field(default=None, min_length=1, max_length=255)
    async_: bool = Field(default=False, alias="async")
    webhook_url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        return webhook_url_shape(value)


class ChunkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def input_tokens(self) -> int:
        """What chunking is charged for: the text's tokens (estimated), at least one."""
        from tollway.wire.token_estimate import estimate_text_tokens

        texts = [self.text or ""] if self.blocks is None else [b.text for b in self.blocks]
        return max(1, sum(estimate_text_tokens(t) for t in texts))

    text: str | None = Field(default=None, min_length=1)
    blocks: list[TextBlock] | None = Field(default=None, min_length=1, validate_default=True)
    max_chars: int = Field(default=2000, ge=MIN_MAX_CHARS, le=MAX_MAX_CHARS)
    overlap_chars: int = Field(ge=0, le=MAX_OVERLAP_CHARS, description="default: a tenth of max_chars")

    @model_validator(mode="before")
    @classmethod
    def _default_overlap(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and raw.get("overlap_chars") is None:
            try:
                max_chars = int(raw.get("max_chars", 2000))
            except (TypeError, ValueError):
                max_chars = 0  # max_chars is invalid and will be reported; any overlap does here
            return {**raw, "overlap_chars": max(0, max_chars) // 10}
        return raw

    @field_validator("blocks")
    @classmethod
    def _one_source(cls, value: list[TextBlock] | None, info: ValidationInfo) -> list[TextBlock] | None:
        if (value is None) == (info.data.get("text") is None) and "text" in info.data:
            raise ValueError("provide either text or blocks, not both" if value is not None
                             else "provide text or blocks")
        return value

    @field_validator("overlap_chars")
    @classmethod
    def _below_max(cls, value: int, info: ValidationInfo) -> int:
        max_chars = info.data.get("max_chars")
        if max_chars is not None and value >= max_chars:
            raise ValueError("must be less than max_chars")
        return value


def parsed_document_body(document: ParsedDocument, billable_pages: int) -> dict[str, Any]:
    """The answer of POST /v1/documents/parse, and the result file of an async parse."""
    return {"object": "document", "format": document.format, "pages": document.pages,
            "blocks": [block.model_dump() for block in document.blocks],
            "usage": {"billable_pages": billable_pages}}
