"""Parse an uploaded document into text blocks, locally (no upstream).

    >>> doc = parse_document(pdf_bytes, filename="report.pdf")
    >>> doc.format, doc.pages, doc.blocks[0].page
    ('pdf', 3, 1)

Bad input never escapes as a 500: an empty, corrupt or encrypted file is an `InvalidRequest` (400)
with code `empty_document`, `invalid_document` or `encrypted_document`; a type we cannot read, or a
declared type that contradicts the bytes, is `UnsupportedMediaType` (415); a document over the
limits in `DocumentLimits` is `PayloadTooLarge` (413, code `document_too_large`), and one that
takes more than its CPU budget (`max_parse_seconds`) too (code `document_too_complex`). A parse
that fails after it started reading says in the error's `units_done` how many pages it got
through (`pages.failed_pages`), which the caller charges.

pypdf and python-docx are imported inside their parsers, so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from tollway.documents.collector import DEFAULT_LIMITS, BlockCollector, DocumentLimits
from tollway.documents.detect import detect_format
from tollway.documents.model import DocumentFormat, ParsedDocument
from tollway.documents.pages import failed_pages
from tollway.errors import InvalidRequest, TollwayError

_EMPTY_REASONS: dict[DocumentFormat, str] = {
    "pdf": "The PDF has no extractable text (scanned pages are images; OCR is not supported).",
    "docx": "The DOCX has no text in its body.",
    "html": "The HTML page has no readable text outside scripts, styles and navigation.",
    "markdown": "The Markdown file has no text.",
    "text": "The text file is empty.",
}


def _parser(fmt: DocumentFormat) -> Callable[[bytes, BlockCollector, str | None], ParsedDocument]:
    if fmt == "pdf":
        from tollway.documents.pdf_text import parse_pdf

        return parse_pdf
    if fmt == "docx":
        from tollway.documents.docx_text import parse_docx

        return parse_docx
    if fmt == "html":
        from tollway.documents.html_text import parse_html

        return parse_html
    if fmt == "markdown":
        from tollway.documents.markdown_text import parse_markdown

        return parse_markdown
    from tollway.documents.plain_text import parse_text

    return parse_text


def parse_document(data: bytes, *, filename: str | None = None, content_type: str | None = None,
                   limits: DocumentLimits = DEFAULT_LIMITS) -> ParsedDocument:
    if not data.strip():
        raise InvalidRequest("The file is empty.", code="empty_document")
    detected = detect_format(data, filename=filename, content_type=content_type)
    parser = _parser(detected.format)
    blocks = BlockCollector(limits)  # here, in the thread that parses: its CPU budget starts now
    try:
        document = parser(data, blocks, detected.charset)
        if not document.blocks:
            raise InvalidRequest(_EMPTY_REASONS[detected.format], code="empty_document")
    except TollwayError as exc:
        exc.units_done = failed_pages(blocks, exc)
        raise
    return document
