"""Documents crafted to make the parser burn CPU or memory: each is read in time linear in its size,
refused with a 4xx when it unpacks past its allowance or runs past its CPU budget, and says how many
pages it got through (what a failed parse is charged).

Time bounds are generous (the machine is shared): before the fix each attack took from 4 s to minutes
of CPU, hundreds of MB, or ended as a 500."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit import hostile_documents as hostile
from tests.unit import sample_documents
from tollway.documents import DocumentLimits, parse_document
from tollway.errors import InvalidRequest, PayloadTooLarge, TollwayError


@contextmanager
def cpu_seconds(at_most: float) -> Iterator[None]:
    started = time.process_time()
    yield
    spent = time.process_time() - started
    assert spent < at_most, f"took {spent:.2f} s of CPU"


@contextmanager
def peak_memory(at_most_mb: float) -> Iterator[None]:
    parse_document(sample_documents.paragraphs_pdf())  # pypdf's imports are not the document's memory
    parse_document(sample_documents.docx())
    tracemalloc.start()
    try:
        yield
        peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()
    assert peak < at_most_mb, f"peaked at {peak:.0f} MB"


def outcome(parse: Callable[[], object]) -> str:
    """What a parse ended in: "ok", or the code of the domain error it raised (anything else fails)."""
    try:
        parse()
    except TollwayError as exc:
        assert 400 <= exc.status < 500, exc
        return exc.code
    return "ok"


# --- HTML --------------------------------------------------------------------------------------------

def test_thousands_of_unclosed_dl_then_stray_p_end_tags_parse_in_linear_time() -> None:
    crafted = hostile.unclosed_dl_html(144_000)
    assert 140_000 <= len(crafted) <= 144_000
    with cpu_seconds(1):
        assert outcome(lambda: parse_document(crafted, filename="page.html")) == "empty_document"


@pytest.mark.parametrize("unit", [b"<a", b"<!--", b"<a b='", b"<dl>x"],
                         ids=["open-tag", "open-comment", "open-quote", "nested-with-text"])
def test_html_constructs_that_never_end_do_not_make_the_tokenizer_rescan(unit: bytes) -> None:
    crafted = b"<p>text</p>" + unit * (150_000 // len(unit))
    with cpu_seconds(2):
        assert outcome(lambda: parse_document(crafted, filename="page.html")) in ("ok", "empty_document")


@pytest.mark.parametrize("crafted", [b"<p>x</p><![<![<![", b"<p>&#" + b"1" * 5000 + b";</p>"],
                         ids=["marked-section", "digits"])
def test_malformed_html_that_crashed_the_old_parser_is_read(crafted: bytes) -> None:
    document = parse_document(crafted, filename="page.html")
    assert document.blocks[0].text in ("x", "\ufffd")


def test_numeric_character_references_keep_their_meaning_however_long() -> None:
    page = b"<p>&#x" + b"0" * 5000 + b"41; &#00000000066 &#x110000; &#99999999999; &amp;</p>"
    assert parse_document(page, filename="page.html").blocks[0].text == "A B \ufffd \ufffd &"


# --- Markdown and text -------------------------------------------------------------------------------

@pytest.mark.parametrize("crafted", [b"# x" + b" " * 300_000 + b"y", b"a|b\n|-" + b" " * 300_000 + b"x\n"],
                         ids=["heading", "table-separator"])
def test_a_markdown_line_of_spaces_cannot_make_the_line_patterns_backtrack(crafted: bytes) -> None:
    with cpu_seconds(1):
        assert parse_document(crafted, filename="notes.md").blocks


@pytest.mark.parametrize("charset", ["zlib", "base64", "rot13", "punycode", "undefined"])
def test_a_declared_charset_that_is_not_a_character_set_is_ignored(charset: str) -> None:
    document = parse_document(b"plain words", content_type=f"text/plain; charset={charset}")
    assert document.blocks[0].text == "plain words"


# --- PDF ---------------------------------------------------------------------------------------------

def test_a_21_kb_pdf_whose_stream_inflates_to_8_mb_is_refused_in_bounded_memory() -> None:
    bomb = hostile.flate_pdf([hostile.TEXT_OPERATORS * (8_400_000 // len(hostile.TEXT_OPERATORS))])
    assert len(bomb) < 30_000
    with cpu_seconds(2), peak_memory(32), pytest.raises(PayloadTooLarge) as refused:
        parse_document(bomb, filename="bomb.pdf")
    assert (refused.value.status, refused.value.code) == (413, "document_too_large")
    assert "unpacks to more than" in refused.value.message
    assert refused.value.units_done == 1  # it ran into a limit: never free


def test_pdf_streams_that_together_inflate_past_the_allowance_are_refused() -> None:
    page = b"BT /F1 12 Tf 72 720 Td (Page) Tj ET\n" + b" " * 400_000
    bomb = hostile.flate_pdf([page] * 30)  # 12 MB from about 40 KB
    with cpu_seconds(5), peak_memory(32), pytest.raises(PayloadTooLarge) as refused:
        parse_document(bomb, filename="bomb.pdf")
    assert refused.value.code == "document_too_large"
    assert 1 <= refused.value.units_done < 30


def test_a_pdf_over_its_cpu_budget_stops_between_pages_and_counts_the_pages_it_read() -> None:
    pages = [b"BT /F1 12 Tf 72 720 Td (Page %d) Tj ET\n" % n + b"q Q " * 20_000 for n in range(200)]
    with cpu_seconds(3), pytest.raises(PayloadTooLarge) as refused:
        parse_document(hostile.flate_pdf(pages), filename="slow.pdf", limits=DocumentLimits(max_parse_seconds=0.3))
    assert refused.value.code == "document_too_complex"
    assert 1 <= refused.value.units_done < 200


def test_a_budget_refusal_inside_a_form_xobject_still_stops_the_parse() -> None:
    """pypdf catches any error raised while it reads a form XObject and carries on: the refusal is
    remembered, so the next operator (or the end of the page) raises it again."""
    form = b"BT /F1 12 Tf 72 720 Td (In the form) Tj ET\n" + b"q Q " * 100_000
    slow = hostile.flate_pdf([b"/X0 Do\n" * 50 + b"BT /F1 12 Tf 72 700 Td (After) Tj ET"], form=form)
    with cpu_seconds(3), pytest.raises(PayloadTooLarge) as refused:
        parse_document(slow, filename="form.pdf", limits=DocumentLimits(max_parse_seconds=0.2))
    assert refused.value.code == "document_too_complex" and refused.value.units_done == 1


# --- DOCX --------------------------------------------------------------------------------------------

def test_a_zip_bomb_docx_is_refused_before_python_docx_unpacks_it() -> None:
    bomb = hostile.docx_with({"word/document.xml": hostile.body_xml("<w:p/>", padding=60 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with cpu_seconds(2), peak_memory(32), pytest.raises(PayloadTooLarge) as refused:
        parse_document(bomb, filename="bomb.docx")
    assert refused.value.code == "document_too_large" and refused.value.units_done == 1


def test_a_docx_member_that_lies_about_its_size_is_measured_not_trusted() -> None:
    honest = hostile.docx_with({"word/document.xml": hostile.body_xml("<w:p/>", padding=40 * 1024 * 1024)})
    liar = hostile.lying_about_size(honest, "word/document.xml", declared=1000)
    with cpu_seconds(2), peak_memory(32), pytest.raises(PayloadTooLarge) as refused:
        parse_document(liar, filename="bomb.docx")
    assert refused.value.code == "document_too_large"


def test_a_billion_laughs_docx_expands_no_entity() -> None:
    """A guard, not a fix: python-docx parses with resolve_entities=False (and lxml refuses the loop)."""
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    xml = (f'<!DOCTYPE w:document [<!ENTITY l0 "lol">{entities}]>'.encode()
           + hostile.body_xml("<w:p><w:r><w:t>&l9;</w:t></w:r></w:p><w:p><w:r><w:t>safe</w:t></w:r></w:p>"))
    with cpu_seconds(2), peak_memory(32):
        assert outcome(lambda: parse_document(hostile.docx_with({"word/document.xml": xml}), filename="a.docx")) \
            in ("ok", "invalid_document", "empty_document")


def test_a_docx_with_many_styles_and_paragraphs_parses_in_linear_time() -> None:
    crafted = hostile.many_styles_docx(styles=3000, paragraphs=10_000)
    with cpu_seconds(3):
        assert len(parse_document(crafted, filename="styles.docx").blocks) == 10_000


@pytest.mark.parametrize(("rows", "columns"), [(3000, 1), (1, 3000)], ids=["tall", "wide"])
def test_a_vertically_merged_docx_table_parses_in_linear_time(rows: int, columns: int) -> None:
    with cpu_seconds(3):
        document = parse_document(hostile.merged_table_docx(rows, columns), filename="table.docx")
    table, after = document.blocks
    assert table.kind == "table" and table.text.split("\n")[-1] == " | ".join(["top"] * columns)
    assert after.text == "after"


# --- The budget and what a failure reports ---------------------------------------------------------

@pytest.mark.parametrize("name", ["notes.md", "page.html", "notes.txt"])
def test_a_text_document_over_its_cpu_budget_is_refused_and_counts_its_text(name: str) -> None:
    body = b"".join(b"<p>Paragraph %d has some words in it.</p>\n\n" % n for n in range(40_000))
    with pytest.raises(PayloadTooLarge) as refused:
        parse_document(body, filename=name, limits=DocumentLimits(max_parse_seconds=0.01))
    assert refused.value.code == "document_too_complex"
    assert refused.value.units_done >= 1


def test_a_failed_parse_reports_the_pdf_pages_it_read() -> None:
    scanned = sample_documents.pdf([[], [], []])
    with pytest.raises(InvalidRequest) as failed:
        parse_document(scanned)
    assert (failed.value.code, failed.value.units_done) == ("empty_document", 3)


def test_a_failure_before_any_reading_reports_no_work() -> None:
    with pytest.raises(InvalidRequest) as failed:
        parse_document(b"<html><script>x()</script></html>", filename="a.html")
    assert (failed.value.code, failed.value.units_done) == ("empty_document", 0)


# --- Random markup -----------------------------------------------------------------------------------

HTML_PIECES = ["<p>", "</p>", "<dl>", "</dl>", "<li>", "</li>", "<h1>", "</h2>", "<pre>", "</pre>", "<table>",
               "<tr>", "<td>", "</td>", "</table>", "<br>", "<br/>", "<script>", "</script>", "<!--", "-->", "<!",
               "<?", "</", "<", ">", "'", '"', "=", "&amp;", "&#", "&#x1F600;", "&", "word ", "\n", " ", "<a b='",
               "<style>", "</style", "<svg>", "<body>", "<![CDATA[", "]]>"]
MARKDOWN_PIECES = ["# ", "#", "##### ", "\n", "\n\n", " ", "\t", "- ", "* ", "1. ", "> ", "|", "|---|", ":-:",
                   "---", "===", "```", "~~~", "word", "-", "_", "*"]


def _soup(pieces: list[str]) -> st.SearchStrategy[str]:
    """A fragment of up to 20 pieces repeated 1,000 to 5,000 times (up to about 300 KB): repetition is
    what turns a quadratic path into seconds, and a construct left open is what makes a parser rescan."""
    fragment = st.lists(st.sampled_from(pieces), min_size=1, max_size=20).map("".join)
    return st.tuples(fragment, st.integers(1000, 5000)).map(lambda drawn: drawn[0] * drawn[1])


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(html=_soup(HTML_PIECES), markdown=_soup(MARKDOWN_PIECES))
def test_random_tag_soup_parses_in_linear_time_or_fails_with_a_domain_error(html: str, markdown: str) -> None:
    for soup, name in ((html, "page.html"), (markdown, "notes.md")):
        data = soup.encode()
        started = time.process_time()
        outcome(lambda data=data, name=name: parse_document(data, filename=name))  # type: ignore[misc]
        spent = time.process_time() - started
        assert spent < 0.1 + len(data) * 5e-6, f"{len(data)} bytes took {spent:.2f} s"  # ~5 s per MB
