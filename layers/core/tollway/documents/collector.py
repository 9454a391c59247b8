"""Size limits for parsing untrusted documents, and the collector every format parser fills.

The limits keep one request from exhausting a Lambda (memory, time): a 5000-page PDF or a DOCX that
unpacks to gigabytes is refused with 413 before or while it is read, not after.

    >>> blocks = BlockCollector(DocumentLimits(max_chars=100))
    >>> blocks.add("  Title ", kind="heading", level=1)
    >>> blocks.add("   ")            # blank text is dropped
    >>> [b.text for b in blocks.blocks]
    ['Title']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tollway.documents.model import BlockKind, TextBlock
from tollway.errors import PayloadTooLarge

# Control characters other than tab and newline: PDF extraction and odd encodings leave them behind.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class DocumentLimits:
    max_pages: int = 500
    max_chars: int = 2_000_000
    # DOCX is a ZIP: the sum of its members' uncompressed sizes, checked before anything is unpacked.
    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_archive_entries: int = 5_000


DEFAULT_LIMITS = DocumentLimits()


def too_many_pages(pages: int, limits: DocumentLimits) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The document has {pages} pages; at most {limits.max_pages} can be parsed in one request. "
        "Split it into smaller files.",
        code="document_too_large",
    )


class BlockCollector:
    """Accumulates blocks in reading order, normalising text and enforcing the character limit."""

    def __init__(self, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.blocks: list[TextBlock] = []
        self.chars = 0

    def add(self, text: str, *, kind: BlockKind = "paragraph", page: int | None = None,
            level: int | None = None) -> None:
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        text = text.strip("\n") if kind == "code" else text.strip()
        if not text.strip():
            return
        self.chars += len(text)
        if self.chars > self.limits.max_chars:
            raise PayloadTooLarge(
                f"The document has more than {self.limits.max_chars} characters of text; "
                "split it into smaller files.",
                code="document_too_large",
            )
        self.blocks.append(TextBlock(text=text, page=page, kind=kind, level=level))
