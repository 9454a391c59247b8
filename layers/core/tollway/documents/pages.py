"""Pages, the unit a parse is priced in: a PDF's pages, or every started 3,000 characters of text
for formats without pages.

    >>> billable_pages(parse_document(data, filename="notes.md"))
    2
    >>> failed_pages(blocks, error)   # a parse that failed: what it got through, at least 1 on a limit
    1
    >>> page_bound(data, "pdf")      # before parsing: what the reservation must cover
    12

`page_bound` is cheap (a PDF's page tree, a DOCX's zip directory, not their text) and never below
what `billable_pages` will count: one character of text takes at least one byte of the file, or of
a DOCX's uncompressed main document part (its markup only adds to that).
"""

from __future__ import annotations

import io
import zipfile
from math import ceil

from tollway.documents.collector import DEFAULT_LIMITS, BlockCollector
from tollway.documents.model import DocumentFormat, ParsedDocument
from tollway.errors import TollwayError

CHARS_PER_PAGE = 3000
# Failures that mean the document ran into a limit (time, unpacked size, pages, characters):
# the gateway spent that much work on it, so it never costs nothing.
_LIMIT_CODES = frozenset({"document_too_large", "document_too_complex"})


def _text_pages(chars: int) -> int:
    return max(1, ceil(chars / CHARS_PER_PAGE))


def billable_pages(document: ParsedDocument) -> int:
    if document.pages is not None:
        return max(1, document.pages)
    return _text_pages(sum(len(block.text) for block in document.blocks))


def failed_pages(blocks: BlockCollector, error: TollwayError) -> int:
    """What a parse that failed after admission is charged: the PDF pages it read to the end, or the
    3,000-character units of text it gathered, and at least one when it ran into a limit."""
    done = blocks.pages_done or ceil(blocks.chars / CHARS_PER_PAGE)
    return max(done, 1) if error.code in _LIMIT_CODES else done


def page_bound(data: bytes, fmt: DocumentFormat) -> int:
    if fmt == "pdf":
        from tollway.documents.pdf_text import count_pages

        return max(1, count_pages(data))
    size = _docx_body_size(data) if fmt == "docx" else None
    return _text_pages(min(len(data) if size is None else size, DEFAULT_LIMITS.max_chars))


def _docx_body_size(data: bytes) -> int | None:
    """The uncompressed size of word/document.xml, read from the zip directory (nothing unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.getinfo("word/document.xml").file_size
    except (zipfile.BadZipFile, KeyError, OSError):
        return None  # parsing will say what is wrong with it
