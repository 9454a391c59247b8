"""Pages, the unit a parse is priced in: a PDF's pages, or every started 3,000 characters of text
for formats without pages.

    >>> billable_pages(parse_document(data, filename="notes.md"))
    2
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

from tollway.documents.collector import DEFAULT_LIMITS
from tollway.documents.model import DocumentFormat, ParsedDocument

CHARS_PER_PAGE = 3000


def _text_pages(chars: int) -> int:
    return max(1, ceil(chars / CHARS_PER_PAGE))


def billable_pages(document: ParsedDocument) -> int:
    if document.pages is not None:
        return max(1, document.pages)
    return _text_pages(sum(len(block.text) for block in document.blocks))


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
