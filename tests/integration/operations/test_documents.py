"""Documents: parse an upload (multipart or base64) into text blocks with pages — in the request
when small, as an operation when large or asked to be async — and chunk text or blocks. Priced
per page (0.01), chunking per input token (one micro-credit); every call leaves a usage record. TOLLWAY_DOCUMENT_SYNC_MAX_PAGES
is 3 in these tests."""

import base64
import json
from decimal import Decimal

import httpx
import pytest

from tollway.wire.token_estimate import estimate_text_tokens

from tests.unit.sample_documents import docx, pdf

PAGE = Decimal("0.01")
MARKDOWN = b"# Notes\n\nFirst paragraph. It has two sentences.\n\n- a list item\n"


def three_page_pdf() -> bytes:
    return pdf([[(700, f"Page {n} says hello.")] for n in (1, 2, 3)])


def test_a_small_multipart_upload_is_parsed_in_the_request_and_charged_per_page(ops) -> None:
    key = ops.key(credits=1)
    response = ops.post(key, "/v1/documents/parse", files={"file": ("report.pdf", three_page_pdf(), "application/pdf")})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["object"], body["format"], body["pages"]) == ("document", "pdf", 3)
    assert [(b["text"], b["page"]) for b in body["blocks"]] == [(f"Page {n} says hello.", n) for n in (1, 2, 3)]
    assert body["usage"] == {"billable_pages": 3}
    assert Decimal(response.headers["x-credits-used"]) == 3 * PAGE
    assert ops.balance(key) == 1 - 3 * PAGE
    (record,) = ops.wait_for_usage(key, 1)
    assert (record["endpoint"], record["model"], record["status"]) == ("documents.parse", "local/document-parse", "ok")


@pytest.mark.parametrize(("name", "data", "fmt"), [
    ("notes.md", MARKDOWN, "markdown"), ("page.html", b"<html><body><h1>T</h1><p>Body text.</p></body></html>", "html"),
    ("letter.docx", docx(), "docx"), ("plain.txt", b"Just text.", "text"),
])
def test_base64_json_uploads_of_every_format_parse_to_blocks(ops, name: str, data: bytes, fmt: str) -> None:
    key = ops.key(credits=1)
    response = ops.post(key, "/v1/documents/parse", json={"data": base64.b64encode(data).decode(), "filename": name})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["format"] == fmt and body["blocks"] and body["usage"]["billable_pages"] == 1
    assert ops.balance(key) == 1 - PAGE


def test_async_parse_becomes_an_operation_whose_result_is_the_same_document(ops) -> None:
    key = ops.key(credits=1)
    sync = ops.post(key, "/v1/documents/parse", files={"file": ("n.md", MARKDOWN)}).json()
    op = ops.submit(key, "/v1/documents/parse", {"data": base64.b64encode(MARKDOWN).decode(), "filename": "n.md",
                                                 "async": True})
    assert (op["kind"], op["filename"], op["format"]) == ("document", "n.md", "markdown")
    final, _ = ops.wait(key, op["id"])
    assert final["status"] == "succeeded", final
    assert final["result"]["content_type"] == "application/json" and final["result"]["units"] == 1
    assert json.loads(httpx.get(final["result"]["url"]).content) == sync
    assert ops.stored(key, op["id"]) == ["document.json"]  # the upload was only for the job
    assert final["credits_used"] == float(PAGE) and ops.balance(key) == 1 - 2 * PAGE


def test_a_large_document_becomes_an_operation_without_being_asked(ops) -> None:
    key = ops.key(credits=1)
    four_pages = pdf([[(700, f"Page {n}.")] for n in range(1, 5)])
    response = ops.post(key, "/v1/documents/parse", files={"file": ("big.pdf", four_pages, "application/pdf")})
    assert response.status_code == 202 and response.json()["credits_reserved"] == float(4 * PAGE)
    final, _ = ops.wait(key, response.json()["id"])
    document = json.loads(httpx.get(final["result"]["url"]).content)
    assert document["pages"] == 4 and [b["page"] for b in document["blocks"]] == [1, 2, 3, 4]
    assert ops.balance(key) == 1 - 4 * PAGE


def test_a_document_that_fails_to_parse_async_fails_the_operation_and_pays_for_the_pages_it_read(ops) -> None:
    key = ops.key(credits=1)
    scanned = pdf([[], [], []])  # three pages, priced and queued, read to the end with no text to extract
    response = ops.post(key, "/v1/documents/parse", data={"async": "true"},
                        files={"file": ("scan.pdf", scanned, "application/pdf")})
    assert response.status_code == 202, response.text
    final, _ = ops.wait(key, response.json()["id"])
    assert final["status"] == "failed" and final["error"]["code"] == "empty_document"
    assert "OCR is not supported" in final["error"]["message"]
    assert final["credits_used"] == float(3 * PAGE) and ops.balance(key) == 1 - 3 * PAGE
    (record,) = ops.wait_for_usage(key, 1)
    assert (record["status"], record["error_code"], int(record["http_status"])) == ("failed", "empty_document", 400)
    assert int(record["credits_micro"]) == 30_000


def test_a_sync_parse_that_finds_no_text_is_a_400_and_refunded(ops) -> None:
    key = ops.key(credits=1)
    response = ops.post(key, "/v1/documents/parse", files={"file": ("empty.html", b"<html><script>x()</script></html>",
                                                                    "text/html")})
    assert response.status_code == 400 and response.json()["error"]["code"] == "empty_document"
    assert response.headers["x-credits-used"] == "0" and ops.balance(key) == 1
    (record,) = ops.wait_for_usage(key, 1)
    assert (record["status"], int(record["http_status"]), int(record["credits_micro"])) == ("invalid_input", 400, 0)


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"json": {"file_id": "file-abc123"}}, 404, "file_not_found"),
    ({"json": {"data": "%%%not base64%%%"}}, 400, "invalid_value"),
    ({"json": {}}, 400, "invalid_value"),
    ({"files": {"file": ("x.png", b"\x89PNG\r\n\x1a\n....", "image/png")}}, 415, "unsupported_document_type"),
    ({"files": {"upload": ("x.md", b"# x")}}, 400, "invalid_value"),
    ({"files": {"file": ("x.md", b"# x")}, "data": {"async": "maybe"}}, 400, "invalid_value"),
    ({"files": {"file": ("x.md", b"# x")}, "data": {"webhook_url": "gopher://x"}}, 400, "invalid_value"),
    ({"content": b"--x\r\nno headers\r\n", "headers": {"content-type": "multipart/form-data"}}, 400, "invalid_multipart"),
], ids=["unknown-file-id", "bad-base64", "nothing", "image", "wrong-field", "bad-async", "bad-webhook", "bad-multipart"])
def test_bad_parse_requests_are_clear_4xx_and_cost_nothing(ops, kwargs, status: int, code: str) -> None:
    key = ops.key(credits=1)
    response = ops.post(key, "/v1/documents/parse", **kwargs)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert ops.balance(key) == 1


def test_text_is_chunked_on_boundaries_charged_per_input_token_and_recorded(ops) -> None:
    key = ops.key(credits=1)
    text = " ".join(f"Sentence number {i} ends here." for i in range(40))
    response = ops.post(key, "/v1/documents/chunk", json={"text": text, "max_chars": 200, "overlap_chars": 40})
    assert response.status_code == 200, response.text
    chunks = response.json()["data"]
    assert len(chunks) > 1 and all(len(c["text"]) <= 200 and c["text"].endswith(".") for c in chunks)
    assert all(c["text"] == text[c["start"]:c["end"]] for c in chunks)
    tokens = estimate_text_tokens(text)  # 4 bytes a token: 1,350 bytes
    assert response.headers["x-credits-used"] == str(Decimal(tokens) / 1_000_000)
    assert ops.balance(key) == 1 - Decimal(tokens) / 1_000_000
    (record,) = ops.wait_for_usage(key, 1)
    assert (record["endpoint"], record["model"], record["status"]) == ("documents.chunk", "local/document-chunk", "ok")
    assert (record["tokens_in"], record["credits_micro"]) == (tokens, tokens)


def test_parsed_blocks_can_be_chunked_with_their_pages(ops) -> None:
    key = ops.key(credits=1)
    parsed = ops.post(key, "/v1/documents/parse", files={"file": ("r.pdf", three_page_pdf(), "application/pdf")}).json()
    response = ops.post(key, "/v1/documents/chunk", json={"blocks": parsed["blocks"], "max_chars": 100,
                                                          "overlap_chars": 0})
    assert response.status_code == 200, response.text
    assert [c["pages"] for c in response.json()["data"]] == [[1, 2, 3]]


@pytest.mark.parametrize(("body", "param"), [
    ({"text": "x", "max_chars": 50}, "max_chars"), ({"text": "x", "max_chars": 9000}, "max_chars"),
    ({"text": "x", "max_chars": 200, "overlap_chars": 200}, "overlap_chars"),
    ({"text": "x", "blocks": [{"text": "y"}]}, "blocks"), ({}, "blocks"),
], ids=["small", "large", "overlap", "both", "neither"])
def test_bad_chunk_requests_are_400_naming_the_param(ops, body, param: str) -> None:
    key = ops.key(credits=1)
    response = ops.post(key, "/v1/documents/chunk", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param


def test_a_file_of_the_files_api_is_parsed_by_its_id_for_its_owner_only(ops) -> None:
    key, other = ops.key(credits=1), ops.key(credits=1)
    uploaded = ops.post(key, "/v1/files", data={"purpose": "user_data"},
                        files={"file": ("report.pdf", three_page_pdf(), "application/pdf")})
    assert uploaded.status_code == 200, uploaded.text
    file_id = uploaded.json()["id"]
    parsed = ops.post(key, "/v1/documents/parse", json={"file_id": file_id})
    assert parsed.status_code == 200, parsed.text
    assert parsed.json()["pages"] == 3 and parsed.json()["blocks"][0]["page"] == 1
    stranger = ops.post(other, "/v1/documents/parse", json={"file_id": file_id})
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "file_not_found"
    assert ops.balance(other) == 1


def test_a_file_id_can_be_parsed_as_an_operation(ops) -> None:
    key = ops.key(credits=1)
    file_id = ops.post(key, "/v1/files", data={"purpose": "user_data"},
                       files={"file": ("notes.md", MARKDOWN, "text/markdown")}).json()["id"]
    started = ops.post(key, "/v1/documents/parse", json={"file_id": file_id, "async": True})
    assert started.status_code == 202, started.text
    done, _ = ops.wait(key, started.json()["id"])
    assert done["status"] == "succeeded", done
    result = httpx.get(done["result"]["url"]).json()
    assert result["format"] == "markdown" and result["blocks"][0]["text"] == "Notes"
