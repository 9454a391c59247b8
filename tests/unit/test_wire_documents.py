"""Request models of /v1/documents/parse and /v1/documents/chunk: defaults, ranges, base64, params."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tollway.errors import InvalidRequest
from tollway.wire.documents import ChunkRequest, ParseDocumentRequest
from tollway.wire.validation import validate


def test_parse_request_decodes_base64_and_reads_the_async_alias() -> None:
    raw = {"data": base64.b64encode(b"%PDF-1.7 hello").decode(), "filename": "a.pdf", "async": True,
           "webhook_url": "https://hooks.example.com/t"}
    request = validate(ParseDocumentRequest, raw)
    assert (request.data, request.filename, request.async_, request.file_id) == (b"%PDF-1.7 hello", "a.pdf", True, None)


@pytest.mark.parametrize(("encoded", "decoded"), [
    ("aGVsbG8gd29ybGQ=", b"hello world"),
    ("aGVsbG8gd29ybGQ", b"hello world"),  # padding left off
    ("aGVsbG8g\nd29ybGQ=\n", b"hello world"),  # wrapped lines
    ("-_-_", base64.urlsafe_b64decode("-_-_")),  # URL-safe alphabet
    ("data:text/plain;base64,aGk=", b"hi"),
])
def test_parse_request_accepts_common_base64_spellings(encoded: str, decoded: bytes) -> None:
    assert validate(ParseDocumentRequest, {"data": encoded}).data == decoded


def test_data_url_supplies_the_content_type_unless_one_is_given() -> None:
    from_url = validate(ParseDocumentRequest, {"data": "data:application/pdf;base64,aGk="})
    assert from_url.content_type == "application/pdf"
    explicit = {"data": "data:application/pdf;base64,aGk=", "content_type": "text/plain"}
    assert validate(ParseDocumentRequest, explicit).content_type == "text/plain"


def test_parse_request_by_file_id() -> None:
    request = validate(ParseDocumentRequest, {"file_id": "file-abc"})
    assert (request.file_id, request.data, request.async_) == ("file-abc", None, False)


BAD_PARSE: list[tuple[str, dict[str, Any], str]] = [
    ("invalid base64 characters", {"data": "not base64!!"}, "data"),
    ("base64 of impossible length", {"data": "abcde"}, "data"),
    ("data not a string", {"data": 12}, "data"),
    ("neither data nor file_id", {"filename": "a.pdf"}, "data"),
    ("both data and file_id", {"file_id": "file-1", "data": "aGk="}, "data"),
    ("empty file_id", {"file_id": ""}, "file_id"),
    ("webhook without scheme", {"file_id": "f", "webhook_url": "hooks.example.com/x"}, "webhook_url"),
    ("webhook with ftp", {"file_id": "f", "webhook_url": "ftp://hooks.example.com/x"}, "webhook_url"),
    ("webhook with credentials", {"file_id": "f", "webhook_url": "https://u:p@hooks.example.com/"}, "webhook_url"),
    ("unknown field", {"file_id": "f", "purpose": "x"}, "purpose"),
]


@pytest.mark.parametrize(("raw", "param"), [c[1:] for c in BAD_PARSE], ids=[c[0] for c in BAD_PARSE])
def test_bad_parse_request_is_a_400_naming_the_param(raw: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        validate(ParseDocumentRequest, raw)
    assert (raised.value.status, raised.value.param) == (400, param)


@pytest.mark.parametrize(("raw", "max_chars", "overlap"), [
    ({"text": "x"}, 2000, 200),
    ({"text": "x", "max_chars": 1000}, 1000, 100),
    ({"text": "x", "max_chars": 100, "overlap_chars": 0}, 100, 0),
    ({"text": "x", "max_chars": 8000, "overlap_chars": 4000}, 8000, 4000),
    ({"blocks": [{"text": "a", "page": 1}], "max_chars": 150}, 150, 15),
])
def test_chunk_request_defaults_overlap_to_a_tenth(raw: dict[str, Any], max_chars: int, overlap: int) -> None:
    request = validate(ChunkRequest, raw)
    assert (request.max_chars, request.overlap_chars) == (max_chars, overlap)


BAD_CHUNK: list[tuple[str, dict[str, Any], str]] = [
    ("max_chars below 100", {"text": "x", "max_chars": 99}, "max_chars"),
    ("max_chars above 8000", {"text": "x", "max_chars": 8001}, "max_chars"),
    ("negative overlap", {"text": "x", "overlap_chars": -1}, "overlap_chars"),
    ("overlap above 4000", {"text": "x", "max_chars": 8000, "overlap_chars": 4001}, "overlap_chars"),
    ("overlap equal to max_chars", {"text": "x", "max_chars": 300, "overlap_chars": 300}, "overlap_chars"),
    ("neither text nor blocks", {"max_chars": 300}, "blocks"),
    ("both text and blocks", {"text": "x", "blocks": [{"text": "y"}]}, "blocks"),
    ("empty text", {"text": ""}, "text"),
    ("block without text", {"blocks": [{"text": ""}]}, "blocks.0.text"),
    ("block with page 0", {"blocks": [{"text": "a", "page": 0}]}, "blocks.0.page"),
]


@pytest.mark.parametrize(("raw", "param"), [c[1:] for c in BAD_CHUNK], ids=[c[0] for c in BAD_CHUNK])
def test_bad_chunk_request_is_a_400_naming_the_param(raw: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        validate(ChunkRequest, raw)
    assert (raised.value.status, raised.value.param) == (400, param)
