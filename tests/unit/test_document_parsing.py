"""parse_document on real documents built in the test: blocks, kinds, page numbers, and clear errors."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.unit import sample_documents
from tollway.documents import DocumentLimits, ParsedDocument, parse_document
from tollway.errors import InvalidRequest, PayloadTooLarge, TollwayError, UnsupportedMediaType


def _summary(doc: ParsedDocument) -> list[tuple[str, str, int | None]]:
    return [(block.kind, block.text, block.page) for block in doc.blocks]


def test_pdf_blocks_carry_one_based_page_numbers_and_split_on_paragraph_gaps() -> None:
    doc = parse_document(sample_documents.paragraphs_pdf(), filename="report.pdf", content_type="application/pdf")
    assert (doc.format, doc.pages) == ("pdf", 2)
    assert _summary(doc) == [
        ("paragraph", "The first paragraph starts here\nand continues on a second line.", 1),
        ("paragraph", "A second paragraph (with parentheses).", 1),
        ("paragraph", "A third one.", 1),
        ("paragraph", "Page two has its own text.", 2),
    ]


def test_pdf_page_without_text_is_skipped_but_counted() -> None:
    data = sample_documents.pdf([[(700, "Only page one has text.")], [], [(700, "And page three.")]])
    doc = parse_document(data)
    assert doc.pages == 3
    assert [block.page for block in doc.blocks] == [1, 3]


def test_pdf_encrypted_with_an_empty_user_password_is_read() -> None:
    doc = parse_document(sample_documents.encrypted_pdf(user_password=""))
    assert doc.blocks[0].text.startswith("The first paragraph")


def test_docx_headings_paragraphs_lists_and_tables_in_order_without_pages() -> None:
    doc = parse_document(sample_documents.docx(), filename="report.docx")
    assert (doc.format, doc.pages) == ("docx", None)
    assert [(b.kind, b.level, b.text, b.page) for b in doc.blocks] == [
        ("heading", 1, "Quarterly report", None),
        ("heading", 1, "Summary", None),
        ("paragraph", None, "Revenue grew in every region.", None),
        ("list_item", None, "First finding", None),
        ("list_item", None, "Second finding", None),
        ("table", None, "Region | Revenue\nNorth | 42", None),
        ("heading", 2, "Details", None),
        ("paragraph", None, "The end.", None),
    ]


HTML = b"""<!DOCTYPE html><html><head><title>Ignored title</title><style>p{color:red}</style>
<script>var secret = "not text";</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<main><h1>Release   notes</h1>
<p>Version <b>2.0</b> is
   out.<br>Upgrade soon.</p>
<ul><li>Faster<ul><li>Much faster</li></ul></li><li>Smaller</li></ul>
<pre>  indented
    code</pre>
<table><tr><th>Name</th><th>Value</th></tr><tr><td>a</td><td>1</td></tr></table>
<div>Loose text in a div &amp; an entity</div></main>
<footer>Copyright</footer></body></html>"""


def test_html_drops_boilerplate_and_keeps_structure() -> None:
    doc = parse_document(HTML, content_type="text/html; charset=utf-8")
    assert doc.format == "html"
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Release notes"),
        ("paragraph", None, "Version 2.0 is out.\nUpgrade soon."),
        ("list_item", None, "Faster"),
        ("list_item", None, "Much faster"),
        ("list_item", None, "Smaller"),
        ("code", None, "  indented\n    code"),
        ("table", None, "Name | Value\na | 1"),
        ("paragraph", None, "Loose text in a div & an entity"),
    ]


def test_html_charset_from_meta_tag_decodes_legacy_pages() -> None:
    page = '<html><head><meta charset="iso-8859-7"></head><body><p>Καλημέρα</p></body></html>'.encode("iso-8859-7")
    assert parse_document(page).blocks[0].text == "Καλημέρα"


MARKDOWN = b"""---
title: front matter is metadata
---
# Guide

Intro paragraph
continues here.

Setext heading
--------------

- item one
  continued
- item two
1. numbered

> quoted
> text

```python
def f():

    return 1
```

| a | b |
|---|:-:|
| 1 | 2 |
"""


def test_markdown_headings_lists_quotes_tables_and_fenced_code_kept_whole() -> None:
    doc = parse_document(MARKDOWN, filename="guide.md")
    assert doc.format == "markdown"
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Guide"),
        ("paragraph", None, "Intro paragraph\ncontinues here."),
        ("heading", 2, "Setext heading"),
        ("list_item", None, "item one\ncontinued"),
        ("list_item", None, "item two"),
        ("list_item", None, "numbered"),
        ("paragraph", None, "quoted\ntext"),
        ("code", None, "def f():\n\n    return 1"),
        ("table", None, "a | b\n1 | 2"),
    ]


def test_text_paragraphs_and_form_feed_pages() -> None:
    plain = parse_document(b"First paragraph.\r\n\r\nSecond\nparagraph.\n", filename="notes.txt")
    assert (plain.format, plain.pages) == ("text", None)
    assert _summary(plain) == [("paragraph", "First paragraph.", None), ("paragraph", "Second\nparagraph.", None)]
    paged = parse_document(b"Page one.\fPage two.\n\nStill two.\f")
    assert paged.pages == 2
    assert [(b.text, b.page) for b in paged.blocks] == [("Page one.", 1), ("Page two.", 2), ("Still two.", 2)]


@pytest.mark.parametrize(("data", "expected"), [
    (b"\xef\xbb\xbfUTF-8 with a BOM: caf\xc3\xa9", "UTF-8 with a BOM: café"),
    ("UTF-16 with a BOM: café".encode("utf-16"), "UTF-16 with a BOM: café"),
    (b"Windows-1252: caf\xe9 \x93quoted\x94", "Windows-1252: café “quoted”"),
    (b"Latin-1 fallback: \x81\xe9", "Latin-1 fallback: \x81é"),
])
def test_text_decoding_handles_boms_and_falls_back(data: bytes, expected: str) -> None:
    assert parse_document(data, filename="a.txt").blocks[0].text == expected


def test_text_declared_charset_wins_over_guessing() -> None:
    data = "Добрый день".encode("koi8-r")
    assert parse_document(data, content_type="text/plain; charset=koi8-r").blocks[0].text == "Добрый день"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
PDF = sample_documents.paragraphs_pdf()
DOCX = sample_documents.docx()

# (name, data, filename, content_type, error class, code)
BAD_INPUT = [
    ("empty file", b"", None, None, InvalidRequest, "empty_document"),
    ("only whitespace", b" \r\n\t ", "a.txt", None, InvalidRequest, "empty_document"),
    ("only a BOM", b"\xef\xbb\xbf", "a.txt", None, InvalidRequest, "empty_document"),
    ("truncated PDF", PDF[: len(PDF) // 2], "a.pdf", None, InvalidRequest, "invalid_document"),
    ("PDF header then garbage", b"%PDF-1.7\n" + bytes(range(256)) * 8, None, None, InvalidRequest,
     "invalid_document"),
    ("PDF without text", sample_documents.pdf([[]]), None, None, InvalidRequest, "empty_document"),
    ("password-protected PDF", sample_documents.encrypted_pdf("secret"), None, None, InvalidRequest,
     "encrypted_document"),
    ("truncated DOCX", DOCX[: len(DOCX) // 2], "a.docx", None, InvalidRequest, "invalid_document"),
    ("DOCX with broken XML", _zip({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"}),
     None, None, InvalidRequest, "invalid_document"),
    ("empty DOCX", sample_documents.empty_docx(), None, None, InvalidRequest, "empty_document"),
    ("HTML with only scripts", b"<html><body><script>x()</script><nav>menu</nav></body></html>", None, None,
     InvalidRequest, "empty_document"),
    ("PNG image", PNG, None, None, UnsupportedMediaType, "unsupported_document_type"),
    ("PNG named .pdf", PNG, "scan.pdf", "application/pdf", UnsupportedMediaType, "unsupported_document_type"),
    ("ZIP that is not a DOCX", _zip({"data.csv": b"a,b"}), None, None, UnsupportedMediaType,
     "unsupported_document_type"),
    ("binary without a signature", b"\x00\x01\x02\x03binary", None, None, UnsupportedMediaType,
     "unsupported_document_type"),
    ("PDF sent as HTML", PDF, None, "text/html", UnsupportedMediaType, "document_type_mismatch"),
    ("DOCX named .pdf", DOCX, "report.pdf", None, UnsupportedMediaType, "document_type_mismatch"),
    ("text claiming to be a PDF", b"hello", None, "application/pdf", InvalidRequest, "invalid_document"),
    ("text named .docx", b"hello", "a.docx", None, InvalidRequest, "invalid_document"),
    ("unsupported content type", b"hello", None, "image/svg+xml", UnsupportedMediaType,
     "unsupported_document_type"),
    ("unknown extension", b"hello", "archive.xyz", None, UnsupportedMediaType, "unsupported_document_type"),
    ("HTML type, Markdown name", b"# hi", "a.md", "text/html", UnsupportedMediaType, "document_type_mismatch"),
]


@pytest.mark.parametrize(("data", "filename", "content_type", "error", "code"),
                         [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_is_a_clear_client_error(data: bytes, filename: str | None, content_type: str | None,
                                           error: type[TollwayError], code: str) -> None:
    with pytest.raises(error) as raised:
        parse_document(data, filename=filename, content_type=content_type)
    assert raised.value.code == code
    assert 400 <= raised.value.status < 500
    assert raised.value.message and "Traceback" not in raised.value.message


LIMITED = [
    ("too many PDF pages", sample_documents.pdf([[(700, "p")]] * 3), DocumentLimits(max_pages=2)),
    ("too many characters", b"x" * 101, DocumentLimits(max_chars=100)),
    ("too many form-feed pages", b"a\fb\fc", DocumentLimits(max_pages=2)),
    ("DOCX unpacks too large", DOCX, DocumentLimits(max_unpacked_bytes=10_000)),
    ("DOCX has too many parts", DOCX, DocumentLimits(max_archive_entries=3)),
]


@pytest.mark.parametrize(("data", "limits"), [case[1:] for case in LIMITED], ids=[case[0] for case in LIMITED])
def test_documents_over_the_limits_are_refused_with_413(data: bytes, limits: DocumentLimits) -> None:
    with pytest.raises(PayloadTooLarge) as raised:
        parse_document(data, limits=limits)
    assert (raised.value.status, raised.value.code) == (413, "document_too_large")


def test_docx_limit_is_checked_on_declared_sizes_before_unpacking() -> None:
    # 50 MB of zeros deflates to ~50 KB: the guard must refuse it from the central directory alone.
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * (50 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(PayloadTooLarge):
        parse_document(bomb, limits=DocumentLimits(max_unpacked_bytes=10 * 1024 * 1024))


def test_parsed_document_is_json_serialisable() -> None:
    doc = parse_document(sample_documents.paragraphs_pdf())
    assert ParsedDocument.model_validate_json(doc.model_dump_json()) == doc
