"""What parsing produces and chunking returns: JSON-serialisable pydantic models.

    >>> doc = ParsedDocument(format="text", pages=None, blocks=[TextBlock(text="Hello.")])
    >>> doc.model_dump()["blocks"][0]
    {'text': 'Hello.', 'page': None, 'kind': 'paragraph', 'level': None}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DocumentFormat = Literal["pdf", "docx", "html", "markdown", "text"]
BlockKind = Literal["heading", "paragraph", "list_item", "table", "code"]


class TextBlock(BaseModel):
    """One unit of text in reading order. `page` is 1-based, or None where the format has no pages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1)
    page: int | None = Field(default=None, ge=1)
    kind: BlockKind = "paragraph"
    level: int | None = Field(default=None, ge=1, le=9, description="heading level, 1 = top")


class ParsedDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: DocumentFormat
    pages: int | None = Field(description="page count where the format has pages (PDF), else None")
    blocks: list[TextBlock]


class Chunk(BaseModel):
    """A piece of the text: exactly `source[start:end]` of the text that was chunked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int = Field(ge=0)
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    pages: list[int] | None = Field(default=None, description="pages covered, when chunked from blocks with pages")
