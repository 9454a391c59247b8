"""DOCX → text blocks with python-docx: headings (by style), paragraphs, list items, tables as rows.

Page numbers are None: a DOCX has no pages. Word lays pages out when it renders, from fonts, margins
and printer settings; the file records at most hints of where the last renderer broke pages
(`lastRenderedPageBreak`), which are absent in generated files and stale after any edit. Reporting
them would look precise and be wrong.

Only the document body is read, in order; headers, footers, comments and footnotes are left out.
The zip is measured before python-docx unpacks it (`docx_archive`), and the body is read in time
linear in its size: styles are looked up in a table built once (python-docx searches every style
per paragraph), and a table's cells in one pass over its rows (python-docx walks up every
vertically merged cell's column and across every cell's row).

    >>> doc = parse_docx(open("minutes.docx", "rb").read(), BlockCollector())
    >>> doc.blocks[0].kind, doc.blocks[0].level
    ('heading', 1)
"""

from __future__ import annotations

import io
import re
from typing import Any

from tollway.documents.collector import BlockCollector
from tollway.documents.damage import reading
from tollway.documents.docx_archive import check_archive
from tollway.documents.model import ParsedDocument

_HEADING = re.compile(r"heading\s*(\d)?$")


class _Styles:
    """Paragraph style names by style id, lowercased, and the default one (what python-docx's
    `paragraph.style` resolves to, without its search over every style for every paragraph)."""

    def __init__(self, document: Any) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        self.names: dict[str, str] = {}
        self.default = ""
        for style in document.styles.element.style_lst:
            if style.type != WD_STYLE_TYPE.PARAGRAPH:
                continue
            name = (style.name_val or "").strip().lower()
            if style.styleId is not None:
                self.names.setdefault(style.styleId, name)
            if style.default:
                self.default = name  # the last default wins, as in Word

    def of(self, paragraph: Any) -> str:
        style_id = paragraph._p.style
        return self.names.get(style_id, self.default) if style_id else self.default


def _paragraph(paragraph: Any, styles: _Styles, blocks: BlockCollector) -> None:
    style = styles.of(paragraph)
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
    """One line per row, its cells' text joined by " | ". A cell spanning columns counts once; a
    cell continuing a vertical merge repeats the text of the cell it continues, found by the
    grid column it starts at in the row above."""
    from docx.table import _Cell

    rows: list[str] = []
    above: dict[int, str] = {}
    for tr in table._tbl.tr_lst:
        cells, here, column = [], {}, tr.grid_before
        for tc in tr.tc_lst:
            blocks.budget.tick()
            text = above.get(column, "") if tc.vMerge == "continue" else " ".join(_Cell(tc, table).text.split())
            cells.append(text)
            here[column] = text
            column += tc.grid_span
        above = here
        if any(cells):
            rows.append(" | ".join(cells))
    blocks.add("\n".join(rows), kind="table")


def parse_docx(data: bytes, blocks: BlockCollector, charset: str | None = None) -> ParsedDocument:
    """`charset` is ignored: the XML inside a DOCX declares its own encoding."""
    with reading("DOCX"):
        check_archive(data, blocks)
        import docx  # lazy: python-docx and lxml cost cold-start time other requests would pay
        from docx.table import Table

        document = docx.Document(io.BytesIO(data))
        blocks.budget.check()
        styles = _Styles(document)
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                _table(item, blocks)
            else:
                _paragraph(item, styles, blocks)
    return ParsedDocument(format="docx", pages=None, blocks=blocks.blocks)
