"""Size limits for parsing untrusted documents, and the collector every format parser fills.

The limits keep one request from exhausting a Lambda (memory, time): a 5000-page PDF, a DOCX or a
PDF whose compressed parts unpack to gigabytes, or a document that takes more than its CPU budget
to read, is refused with 413 while it is read, not after. The collector carries the parse's
`ParseBudget` (every parser ticks it) and how far the parse got, which is what a failed parse
is charged (`pages.failed_pages`).

    >>> blocks = BlockCollector(DocumentLimits(max_chars=100))
    >>> blocks.add("  Title ", kind="heading", level=1)
    >>> blocks.add("   ")            # blank text is dropped
    >>> [b.text for b in blocks.blocks]
    ['Title']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tollway.documents.budget import ParseBudget
from tollway.documents.model import BlockKind, TextBlock
from tollway.errors import PayloadTooLarge, TollwayError

# Control characters other than tab and newline: PDF extraction and odd encodings leave them behind.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class DocumentLimits:
    max_pages: int = 500
    max_chars: int = 2_000_000
    # What a DOCX's zip members, or a PDF's compressed streams, may unpack to in total: this, and no
    # more than `max_unpack_ratio` times the file's own size (a few MB are always allowed). Real
    # documents stay far below 100:1; a decompression bomb is far above it.
    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_unpack_ratio: int = 100
    max_archive_entries: int = 5_000
    # CPU seconds one parse may take (TOLLWAY_DOCUMENT_PARSE_SECONDS where the gateway parses).
    max_parse_seconds: float = 10.0

    def unpack_allowance(self, packed_bytes: int) -> int:
        return min(self.max_unpacked_bytes, max(_UNPACK_FLOOR, self.max_unpack_ratio * packed_bytes))


_UNPACK_FLOOR = 2 * 1024 * 1024
DEFAULT_LIMITS = DocumentLimits()


def unpacks_too_large(label: str, packed_bytes: int, limits: DocumentLimits) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The {label} unpacks to more than {limits.unpack_allowance(packed_bytes) / (1024 * 1024):.1f} MB; "
        f"at most {limits.max_unpack_ratio} times the file's size, and never more than "
        f"{limits.max_unpacked_bytes / (1024 * 1024):g} MB, can be read.",
        code="document_too_large",
    )


def too_many_pages(pages: int, limits: DocumentLimits) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The document has {pages} pages; at most {limits.max_pages} can be parsed in one request. "
        "Split it into smaller files.",
        code="document_too_large",
    )


class BlockCollector:
    """Accumulates blocks in reading order, normalising text and enforcing the character limit.

    Created in the thread that parses: its `budget` starts counting CPU time then."""

    def __init__(self, limits: DocumentLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.budget = ParseBudget(limits.max_parse_seconds)
        self.blocks: list[TextBlock] = []
        self.chars = 0
        self.pages_done = 0  # pages read to the end, for formats with pages

    def add(self, text: str, *, kind: BlockKind = "paragraph", page: int | None = None,
            level: int | None = None) -> None:
        self.budget.tick()
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        text = text.strip("\n") if kind == "code" else text.strip()
        if not text.strip():
            return
        self.chars += len(text)
        if self.chars > self.limits.max_chars:
            raise self.too_many_chars()
        self.blocks.append(TextBlock(text=text, page=page, kind=kind, level=level))

    def too_many_chars(self) -> TollwayError:
        return self.budget.refuse(PayloadTooLarge(
            f"The document has more than {self.limits.max_chars} characters of text; split it into smaller files.",
            code="document_too_large",
        ))
