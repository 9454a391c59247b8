"""Markdown → text blocks, line by line (no dependency): ATX and setext headings, paragraphs, list
items with their continuation lines, block quotes, pipe tables, and fenced code kept whole as one
block. Inline markup (`**bold**`, links) is left as written: it is part of the text a reader sees.
YAML front matter at the very top is metadata, not text, and is dropped. Page numbers are None.
Each line is matched in time linear in its length: no pattern can backtrack over a run of spaces
(possessive quantifiers, and a heading's closing #s are removed in code), where the old patterns
took seconds on one line of spaces.

    >>> doc = parse_markdown(b"# Title\\n\\nSome text.\\n\\n- one\\n- two\\n", BlockCollector())
    >>> [(b.kind, b.text) for b in doc.blocks]
    [('heading', 'Title'), ('paragraph', 'Some text.'), ('list_item', 'one'), ('list_item', 'two')]
"""

from __future__ import annotations

import re

from tollway.documents.collector import BlockCollector
from tollway.documents.model import BlockKind, ParsedDocument
from tollway.documents.text_decoding import decode_text

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]++(.*+))?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ITEM = re.compile(r"^( {0,3})(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(.*)$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*+\1){2,}+[ \t]*+$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_TABLE_SEPARATOR = re.compile(r"^ {0,3}\|?[ \t]*+:?-++:?[ \t]*+(?:\|[ \t]*+:?-++:?[ \t]*+)*+\|?[ \t]*+$")


class _Blocks:
    """The paragraph, list item, quote or table being gathered, flushed when it ends."""

    def __init__(self, blocks: BlockCollector) -> None:
        self.blocks = blocks
        self.lines: list[str] = []
        self.kind: BlockKind = "paragraph"
        self.quote = False

    def start(self, kind: BlockKind, line: str, *, quote: bool = False) -> None:
        self.flush()
        self.kind, self.lines, self.quote = kind, [line], quote

    def add(self, line: str) -> None:
        self.lines.append(line)

    def flush(self) -> None:
        if self.lines:
            if self.kind == "table":
                rows = [" | ".join(c.strip() for c in line.strip().strip("|").split("|")) for line in self.lines
                        if not _TABLE_SEPARATOR.match(line)]
                self.blocks.add("\n".join(rows), kind="table")
            else:
                self.blocks.add("\n".join(line.strip() for line in self.lines), kind=self.kind)
        self.lines, self.kind, self.quote = [], "paragraph", False


def _heading_text(content: str | None) -> str:
    """An ATX heading's text: without the closing run of #s, if a space separates it from the text."""
    text = (content or "").rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare
    return text.strip(" \t")


def _front_matter_end(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                return number + 1
    return 0


def parse_markdown(data: bytes, blocks: BlockCollector, charset: str | None = None) -> ParsedDocument:
    lines = decode_text(data, charset).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    current = _Blocks(blocks)
    tick = blocks.budget.tick
    index = _front_matter_end(lines)
    while index < len(lines):
        line = lines[index]
        index += 1
        tick()
        if fence := _FENCE.match(line):
            current.flush()
            marker, body = fence.group(1), []
            while index < len(lines) and not lines[index].lstrip().startswith(marker):
                tick()
                body.append(lines[index])
                index += 1
            index += 1  # the closing fence (or the end of the file: an unclosed fence runs to the end)
            blocks.add("\n".join(body), kind="code")
        elif not line.strip():
            current.flush()
        elif heading := _ATX.match(line):
            current.flush()
            blocks.add(_heading_text(heading.group(2)), kind="heading", level=len(heading.group(1)))
        elif (setext := _SETEXT.match(line)) and current.lines and current.kind == "paragraph" \
                and not current.quote:
            text, current.lines = "\n".join(part.strip() for part in current.lines), []
            blocks.add(text, kind="heading", level=1 if setext.group(1)[0] == "=" else 2)
        elif _RULE.match(line):
            current.flush()
        elif item := _ITEM.match(line):
            current.start("list_item", item.group(2))
        elif _QUOTE.match(line):
            # Quote markers are syntax, not text.
            if current.quote:
                current.add(_QUOTE.sub("", line))
            else:
                current.start("paragraph", _QUOTE.sub("", line), quote=True)
        elif "|" in line and index < len(lines) and _TABLE_SEPARATOR.match(lines[index]) and "-" in lines[index]:
            current.start("table", line)
        else:
            current.add(line)
    current.flush()
    return ParsedDocument(format="markdown", pages=None, blocks=blocks.blocks)
