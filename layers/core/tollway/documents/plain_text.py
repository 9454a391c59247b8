"""Plain text → paragraphs split on blank lines.

A form feed (\\f) is a page break in plain text — `pdftotext` and line printers write one per page —
so text that has them gets 1-based page numbers; text without them has none.

    >>> [(b.text, b.page) for b in parse_text(b"One.\\n\\nTwo.\\fThree.", BlockCollector()).blocks]
    [('One.', 1), ('Two.', 1), ('Three.', 2)]
"""

from __future__ import annotations

import re

from tollway.documents.collector import BlockCollector, too_many_pages
from tollway.documents.model import ParsedDocument
from tollway.documents.text_decoding import decode_text

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def parse_text(data: bytes, blocks: BlockCollector, charset: str | None = None) -> ParsedDocument:
    text = decode_text(data, charset).replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f")
    paged = len(pages) > 1
    if paged and text.endswith("\f"):
        pages.pop()  # a trailing form feed ends the last page, it does not start an empty one
    if len(pages) > blocks.limits.max_pages and paged:
        raise too_many_pages(len(pages), blocks.limits)
    for number, page in enumerate(pages, start=1):
        for paragraph in _BLANK_LINE.split(page):
            blocks.add(paragraph, page=number if paged else None)
    return ParsedDocument(format="text", pages=len(pages) if paged else None, blocks=blocks.blocks)
