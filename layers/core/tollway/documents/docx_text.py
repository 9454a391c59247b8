"""DOCX → text blocks with python-docx: headings (by style), paragraphs, list items, tables as rows.

Page numbers are None: a DOCX has no pages. Word lays pages out when it renders, from fonts, margins
and printer settings; the file records at most hints of where the last renderer broke pages
(`lastRenderedPageBreak`), which are absent in generated files and stale after any edit. Reporting
them would look precise and be wrong.

Only the document body is read, in order; headers, footers, comments and footnotes are left out.

    >>> doc = parse_docx(open("minutes.docx", "rb").read(), BlockCollector())
    >>> doc.blocks[0].kind, doc.blocks[0].level
    ('heading', 1)
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from tollway.documents.collector import BlockCollector
from tollway.documents.damage import reading
from tollway.documents.model import ParsedDocument
from tollway.errors import PayloadTooLarge

_HEADING = re.compile(r"heading\s*(\d)?$")


def _check_archive(data: bytes, blocks: BlockCollector) -> None:
    """python-docx loads every part into memory: bound the unpacked size before it starts."""
    limits = blocks.limits
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    unpacked = sum(info.file_size for info in infos)
    if len(infos) > limits.max_archive_entries or unpacked > limits.max_unpacked_bytes:
        raise PayloadTooLarge(
            f"The DOCX unpacks to {unpacked // (1024 * 1024)} MB in {len(infos)} parts; at most "
            f"{limits.max_unpacked_bytes // (1024 * 1024)} MB in {limits.max_archive_entries} parts can be parsed.",
            code="document_too_large",
        )


def _paragraph(paragraph: Any, blocks: BlockCollector) -> None:
    style = (paragraph.style.name or "").strip().lower() if paragraph.style is not None else ""
    heading = _HEADING.match(style)
    if style == "title":
        blocks.add(paragraph.text, kind="heading", level=1)
    elif heading:
        blocks.add(paragraph.text, kind="heading", level=int(heading.group(1) or 1))
    elif style.startswith("list") or _numbered(paragraph):
        blocks.add(paragraph.text, kind="list_item")
    else:
        blocks.add(paragraph.text)


def _numbered(paragraph: Any) -> bool:
    """Direct numbering (w:numPr) is how Word marks list items outside the List styles."""
    properties = paragraph._p.pPr
    return properties is not None and properties.numPr is not None


def _table(table: Any, blocks: BlockCollector) -> None:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans: keep its text once.
            if previous is not None and cell._tc is previous._tc:
                continue
            previous = cell
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    blocks.add("\n".join(rows), kind="table")


def parse_docx(data: bytes, blocks: BlockCollector, charset: str | None = None) -> ParsedDocument:
    """`charset` is ignored: the XML inside a DOCX declares its own encoding."""
    with reading("DOCX"):
        _check_archive(data, blocks)
        import docx  # lazy: python-docx and lxml cost cold-start time other requests would pay
        from docx.table import Table

        document = docx.Document(io.BytesIO(data))
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                _table(item, blocks)
            else:
                _paragraph(item, blocks)
    return ParsedDocument(format="docx", pages=None, blocks=blocks.blocks)
