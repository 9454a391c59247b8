"""pypdf run under one document's limits: a total for everything its streams inflate to, and
tighter bounds on the structures it walks (content stream elements, form XObjects, the page tree).

Every stream one parse decodes counts against one allowance per document
(`DocumentLimits.unpack_allowance`: 100 times the file's size, never more than 64 MB).

pypdf bounds each stream on its own (75 MB of output per filter by default) and nothing bounds a
document, so a 20 KB PDF could inflate a stream to megabytes and then spend seconds and hundreds
of MB parsing them as page content. pypdf decodes every stream — page content, object streams,
CMaps, form XObjects — in one function, `pypdf.filters.decode_stream_data`, which is wrapped once
here. While a parse holds an allowance (a context variable, so per thread) each decode ticks the
parse's budget, runs with pypdf's per-filter output limits set to what is left of the allowance
(so it never inflates past it), and is counted; outside a parse the wrapper only calls pypdf.

    with pdf_limits(len(data), limits, budget):
        reader = PdfReader(io.BytesIO(data))
        text = reader.pages[0].extract_text()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import pypdf.filters
from pypdf import apply_configuration
from pypdf.errors import LimitReachedError

from tollway.documents.budget import ParseBudget
from tollway.documents.collector import DocumentLimits, unpacks_too_large
from tollway.errors import PayloadTooLarge

# Elements (operands, operators, array items) pypdf parses from one content stream before we see
# any of them: about 1.5 s of CPU, the most one stream can overrun the parse's time budget by.
MAX_STREAM_ELEMENTS = 500_000
# Form XObjects drawn while extracting one page (pypdf allows 5000, each parsed again).
MAX_FORM_INVOCATIONS = 1_000
# Entries pypdf may walk in the page tree, per page a document may have: counting the pages of a
# PDF (before it is admitted, so unpaid) stops soon after the page limit, not at 100,000 pages.
_TREE_ENTRIES_PER_PAGE, _TREE_COPIES_PER_PAGE = 2, 400
_DECODE_LIMITS = ("zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
                  "brotli_maximum_output_length", "jbig2_maximum_output_length")
_DOCUMENT_LIMITS = (*_DECODE_LIMITS, "maximum_declared_stream_length", "array_based_stream_maximum_output_length",
                    "image_maximum_buffer_size", "xfa_decoding_work_maximum_length",
                    "stream_decoding_work_maximum_length")


@dataclass
class _Allowance:
    left: int
    refused: PayloadTooLarge
    budget: ParseBudget


_CURRENT: ContextVar[_Allowance | None] = ContextVar("tollway_pdf_unpack_allowance", default=None)
_pypdf_decode = pypdf.filters.decode_stream_data


def _bounded_decode(stream: Any) -> bytes:
    allowance = _CURRENT.get()
    if allowance is None:
        return _pypdf_decode(stream)
    allowance.budget.check()
    if allowance.left <= 0:  # 0 would mean "no limit" to pypdf
        raise allowance.budget.refuse(allowance.refused)
    try:
        with apply_configuration(**dict.fromkeys(_DECODE_LIMITS, allowance.left)):
            data = _pypdf_decode(stream)
    except LimitReachedError:
        raise allowance.budget.refuse(allowance.refused) from None
    allowance.left -= len(data)
    if allowance.left < 0:
        raise allowance.budget.refuse(allowance.refused)
    return data


pypdf.filters.decode_stream_data = _bounded_decode


@contextmanager
def pdf_limits(packed_bytes: int, limits: DocumentLimits, budget: ParseBudget) -> Iterator[None]:
    allowance = limits.unpack_allowance(packed_bytes)
    overrides: dict[str, Any] = dict.fromkeys(_DOCUMENT_LIMITS, allowance)
    overrides |= {"stream_parsing_work_maximum_count": MAX_STREAM_ELEMENTS,
                  "xform_maximum_invocations_per_extraction": MAX_FORM_INVOCATIONS,
                  "page_tree_maximum_entries": _TREE_ENTRIES_PER_PAGE * limits.max_pages + 100,
                  "page_tree_maximum_page_entries": _TREE_COPIES_PER_PAGE * limits.max_pages + 10_000}
    token = _CURRENT.set(_Allowance(allowance, unpacks_too_large("PDF", packed_bytes, limits), budget))
    try:
        with apply_configuration(**overrides):
            yield
    finally:
        _CURRENT.reset(token)
