"""Pages, the unit a parse is priced in, and the bound reserved before parsing."""

import pytest

from tests.unit.sample_documents import docx, pdf
from tollway.documents import parse_document
from tollway.documents.pages import CHARS_PER_PAGE, billable_pages, page_bound

SAMPLES = {
    "pdf": pdf([[(700, "one")], [(700, "two")], []]),
    "docx": docx(),
    "markdown": b"# T\n\n" + b"word " * 2000,
    "html": b"<p>" + b"x" * 7000 + b"</p>",
    "text": b"short",
}


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_the_bound_reserved_before_parsing_covers_the_pages_charged_after(fmt: str) -> None:
    data = SAMPLES[fmt]
    document = parse_document(data, filename=f"sample.{ {'markdown': 'md', 'text': 'txt'}.get(fmt, fmt)}")
    assert document.format == fmt
    assert 1 <= billable_pages(document) <= page_bound(data, fmt)


@pytest.mark.parametrize(("chars", "pages"), [(1, 1), (CHARS_PER_PAGE, 1), (CHARS_PER_PAGE + 1, 2), (9000, 3)])
def test_formats_without_pages_count_a_page_per_started_3000_characters(chars: int, pages: int) -> None:
    assert billable_pages(parse_document(b"a" * chars, filename="t.txt")) == pages


def test_a_pdf_is_charged_for_every_page_even_an_empty_one() -> None:
    assert billable_pages(parse_document(SAMPLES["pdf"], filename="x.pdf")) == 3 == page_bound(SAMPLES["pdf"], "pdf")


def test_a_docx_bound_comes_from_its_main_part_not_its_zip_size() -> None:
    assert len(SAMPLES["docx"]) > 10 * CHARS_PER_PAGE and page_bound(SAMPLES["docx"], "docx") == 1
