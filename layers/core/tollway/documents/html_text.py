"""HTML → text blocks, from the tokens of our linear-time tokenizer (`html_tokens`, no dependency).

Scripts, styles and page furniture (nav, aside, footer, forms, embedded media) are dropped; headings,
paragraphs, list items, preformatted code and tables become blocks in document order. Whitespace is
collapsed as a browser would, except inside <pre>. Page numbers are None (HTML has no pages).
Every step is constant time per token, however the tags nest or fail to close (thousands of
unclosed <dl> followed by stray </p> once took seconds each): the open elements are counted by
name, and the innermost heading, list item or pre is tracked as they open and close.

    >>> [b.kind for b in parse_html(b"<h1>Hi</h1><p>Text</p><ul><li>one</li></ul>", BlockCollector()).blocks]
    ['heading', 'paragraph', 'list_item']
"""

from __future__ import annotations

import re
from collections import Counter

from tollway.documents.collector import BlockCollector
from tollway.documents.html_tokens import html_tokens
from tollway.documents.model import BlockKind, ParsedDocument
from tollway.documents.text_decoding import decode_text

_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "nav", "aside", "footer", "form",
                      "svg", "math", "canvas", "iframe", "object", "video", "audio", "select", "button"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Elements whose start or end closes the text gathered so far into a block.
_BLOCKS = frozenset({"p", "div", "section", "article", "main", "header", "blockquote", "li", "ul", "ol",
                     "dl", "dt", "dd", "pre", "table", "tr", "td", "th", "figure", "figcaption", "hr",
                     "address", "details", "summary", "body", "html", "caption", *_HEADINGS})
_KINDS = frozenset({"li", "pre", *_HEADINGS})  # the elements that decide a block's kind
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col", "embed",
                   "source", "track", "param"})
_BR = "\ue000"  # a private-use character standing for <br> until the block is flushed
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _BlockParser:
    def __init__(self, blocks: BlockCollector) -> None:
        self.blocks = blocks
        self.open: list[str] = []  # the block-level elements we are inside, innermost last
        self.open_count: Counter[str] = Counter()  # how many of each name are in `open`
        self.kinds: list[int] = []  # positions in `open` of its headings, list items and pre, innermost last
        self.skipping = 0
        self.text: list[str] = []
        self.pre = 0
        self.table_rows: list[list[str]] | None = None
        self.nested_tables = 0  # tables inside a cell: their text joins the outer cell
        self.cell: list[str] | None = None

    def feed(self, text: str) -> None:
        tick = self.blocks.budget.tick
        for kind, value in html_tokens(text):
            tick()
            if kind == "text":
                self.handle_data(value)
            elif kind == "start":
                self.handle_starttag(value)
            elif kind == "end":
                self.handle_endtag(value)
            else:
                self.handle_startendtag(value)

    # --- tags ---------------------------------------------------------------------------------
    def handle_starttag(self, tag: str) -> None:
        if tag == "body":
            self.skipping = 0  # an unclosed <head> ends where the body begins, as in a browser
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag == "br":
            self._data(_BR)
        elif tag == "table" and self.table_rows is not None:
            self.nested_tables += 1
        elif self.nested_tables:
            return
        elif tag == "table":
            self._flush()
            self.table_rows = []
        elif tag == "tr" and self.table_rows is not None:
            self.table_rows.append([])
        elif tag in ("td", "th") and self.table_rows is not None:
            self.cell = []
        elif tag in _BLOCKS:
            self._flush()
            if tag == "pre":
                self.pre += 1
            if tag not in _VOID:
                self._open(tag)

    def handle_startendtag(self, tag: str) -> None:
        if tag == "br" and not self.skipping:
            self._data(_BR)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if self.nested_tables:
            self.nested_tables -= tag == "table"
            return
        if tag in ("td", "th") and self.cell is not None and self.table_rows is not None:
            if not self.table_rows:
                self.table_rows.append([])
            self.table_rows[-1].append(" ".join("".join(self.cell).replace(_BR, " ").split()))
            self.cell = None
        elif tag == "table" and self.table_rows is not None:
            rows = [" | ".join(row) for row in self.table_rows if any(row)]
            self.blocks.add("\n".join(rows), kind="table")
            self.table_rows, self.cell = None, None
        elif tag in _BLOCKS and self.table_rows is None:
            self._flush()
            self._close(tag)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def _open(self, tag: str) -> None:
        if tag in _KINDS:
            self.kinds.append(len(self.open))
        self.open.append(tag)
        self.open_count[tag] += 1

    def _close(self, tag: str) -> None:
        """Close `tag` and anything left open inside it (browsers are as forgiving); a stray end tag
        changes nothing. Each element is closed once, so this is constant time per tag overall."""
        if not self.open_count[tag]:
            return
        while self.open:
            closed = self.open.pop()
            self.open_count[closed] -= 1
            if self.kinds and self.kinds[-1] == len(self.open):
                self.kinds.pop()
            if closed == tag:
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._data(data)

    # --- text ---------------------------------------------------------------------------------
    def _data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        elif self.table_rows is not None:
            return  # text between cells (whitespace, stray captions) is not part of any row
        else:
            self.text.append(data)

    def _kind(self) -> tuple[BlockKind, int | None]:
        if not self.kinds:
            return "paragraph", None
        tag = self.open[self.kinds[-1]]
        if tag == "li":
            return "list_item", None
        if tag == "pre":
            return "code", None
        return "heading", _HEADINGS[tag]

    def _flush(self) -> None:
        raw, self.text = "".join(self.text), []
        if not raw.strip():
            return
        kind, level = self._kind()
        if kind == "code":
            self.blocks.add(raw.replace(_BR, "\n"), kind=kind)
            return
        # Collapse whitespace as a browser would, keeping the line breaks <br> asked for.
        lines = (" ".join(line.split()) for line in raw.split(_BR))
        self.blocks.add("\n".join(line for line in lines if line), kind=kind, level=level)

    def close(self) -> None:
        if self.table_rows is not None:
            self.handle_endtag("table")
        self._flush()


def html_charset(data: bytes) -> str | None:
    """The charset a `<meta charset>` near the top declares, used when the upload did not say."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def parse_html(data: bytes, blocks: BlockCollector, charset: str | None = None) -> ParsedDocument:
    parser = _BlockParser(blocks)
    parser.feed(decode_text(data, charset or html_charset(data)))
    parser.close()
    return ParsedDocument(format="html", pages=None, blocks=blocks.blocks)
