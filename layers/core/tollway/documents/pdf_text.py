"""PDF → text blocks with pypdf (pure Python). Page numbers are 1-based.

pypdf's plain extraction puts one newline between lines whatever the vertical gap, so paragraphs
are found from the text's positions: a line that sits clearly further from the previous one than
the page's usual line spacing starts a new block. Blank lines in the extracted text also split.

A hostile PDF is bounded three ways: its streams may not unpack past the document's allowance
(`pdf_limits`), pypdf parses at most `MAX_STREAM_ELEMENTS` from one content stream, and the
parse's CPU budget is ticked on every content-stream operator and checked between pages.

    >>> parse_pdf(open("report.pdf", "rb").read(), BlockCollector()).pages
    12
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from tollway.documents.budget import ParseBudget
from tollway.documents.collector import DEFAULT_LIMITS, BlockCollector, DocumentLimits, too_many_pages
from tollway.documents.damage import reading
from tollway.documents.model import ParsedDocument
from tollway.errors import InvalidRequest, PayloadTooLarge

# pypdf warns about every repair it makes to a damaged file: noise in the gateway's logs, never
# actionable for the operator. Failures still surface as errors.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# A gap this many times the page's usual line spacing separates paragraphs.
_PARAGRAPH_GAP = 1.5


@dataclass
class _Line:
    parts: list[str] = field(default_factory=list)  # joined once read: a line may come in many pieces
    y: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _PageLines:
    """Rebuilds pypdf's output line by line, remembering where on the page each line sits."""

    blocks: BlockCollector
    lines: list[_Line] = field(default_factory=lambda: [_Line()])
    chars: int = 0

    def visit(self, text: str, cm: list[float], tm: list[float], _font: Any, _size: Any) -> None:
        self.chars += len(text)
        if self.blocks.chars + self.chars > self.blocks.limits.max_chars:
            raise self.blocks.too_many_chars()  # before pypdf gathers a page of megabytes
        # Baseline y in page space: the text matrix times the current transformation matrix.
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        first, *rest = text.split("\n")
        self._append(first, y)
        for piece in rest:
            self.lines.append(_Line())
            self._append(piece, y)

    def operator(self, *_: Any) -> None:
        self.blocks.budget.tick()

    def _append(self, text: str, y: float) -> None:
        line = self.lines[-1]
        if line.y is None and text.strip():
            line.y = y
        line.parts.append(text)

    def paragraphs(self) -> list[str]:
        gaps = sorted(abs(a.y - b.y) for a, b in pairwise(self.lines)
                      if a.y is not None and b.y is not None and a.y != b.y)
        # The lower quartile, not the median: on a page of short paragraphs most gaps are paragraph gaps.
        spacing = gaps[len(gaps) // 4] if gaps else 0.0
        paragraphs: list[list[str]] = [[]]
        previous: _Line | None = None
        for line in self.lines:
            blank = not line.text.strip()
            gap = (abs(previous.y - line.y) if previous and previous.y is not None and line.y is not None
                   else 0.0)
            if blank or (spacing and gap > spacing * _PARAGRAPH_GAP):
                paragraphs.append([])
            if not blank:
                paragraphs[-1].append(line.text.rstrip())
                previous = line
        return ["\n".join(p) for p in paragraphs if p]


def _encrypted() -> InvalidRequest:
    return InvalidRequest("The PDF is protected by a password. Remove the password and upload it again.",
                          code="encrypted_document")


def _open(data: bytes) -> Any:
    from pypdf import PasswordType, PdfReader  # lazy: pypdf costs cold-start time other requests would pay
    from pypdf.errors import DependencyError

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        # Many PDFs are encrypted only to restrict printing/copying, with an empty user password.
        try:
            opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
        except DependencyError:  # AES without a crypto library in the layer: treated like a password
            opened = False
        if not opened:
            raise _encrypted()
    return reader


def _too_complex() -> PayloadTooLarge:
    return PayloadTooLarge("The PDF is too complex to read: its page tree, a page's content or its nested forms "
                           "hold more than the gateway parses. Split or simplify it.", code="document_too_complex")


@contextmanager
def _reading_within(data: bytes, limits: DocumentLimits, budget: ParseBudget) -> Iterator[None]:
    """pypdf under the document's limits, its errors made ours: damage is a 400 (`reading`), a limit
    of pypdf's a 413, and a refusal of ours that pypdf caught and replaced with an error of its own
    is still ours."""
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    from tollway.documents.pdf_limits import pdf_limits

    with reading("PDF"), pdf_limits(len(data), limits, budget):
        try:
            yield
        except FileNotDecryptedError:
            raise _encrypted() from None
        except LimitReachedError:
            raise budget.refuse(_too_complex()) from None
        except Exception:
            if budget.refused is not None:
                raise budget.refused from None
            raise


def count_pages(data: bytes, limits: DocumentLimits = DEFAULT_LIMITS) -> int:
    """The page count alone (no text extracted): what pricing needs before a PDF is parsed."""
    with _reading_within(data, limits, ParseBudget(limits.max_parse_seconds)):
        pages = len(_open(data).pages)
    if pages > limits.max_pages:
        raise too_many_pages(pages, limits)
    return pages


def _blank_line_paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def parse_pdf(data: bytes, blocks: BlockCollector, charset: str | None = None) -> ParsedDocument:
    """`charset` is ignored: a PDF declares its own text encodings, font by font."""
    budget = blocks.budget
    with _reading_within(data, blocks.limits, budget):
        reader = _open(data)
        pages = len(reader.pages)
        if pages > blocks.limits.max_pages:
            raise too_many_pages(pages, blocks.limits)
        for number, page in enumerate(reader.pages, start=1):
            budget.check()
            lines = _PageLines(blocks)
            text = page.extract_text(visitor_text=lines.visit, visitor_operand_before=lines.operator)
            budget.check()  # a refusal pypdf swallowed (it carries on after a broken form XObject)
            # The visitor sees exactly what pypdf outputs; if that ever differs, trust the text.
            rebuilt = "\n".join(line.text for line in lines.lines) == text
            for paragraph in lines.paragraphs() if rebuilt else _blank_line_paragraphs(text):
                blocks.add(paragraph, page=number)
            blocks.pages_done = number
    return ParsedDocument(format="pdf", pages=pages, blocks=blocks.blocks)
