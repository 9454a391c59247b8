"""A chat message may name an uploaded file by id: images become image input, PDFs document input,
text files text; only the owning key can, and nothing is charged when a file cannot be used."""

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.media.conftest import upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLAUDE = "claude-sonnet-4-20250514"


def with_file(file_id: str, text: str = "look at this") -> list[dict]:
    return [{"role": "user", "content": [{"type": "text", "text": text},
                                         {"type": "file", "file": {"file_id": file_id}}]}]


def test_an_uploaded_image_becomes_image_input(caller, upstream, anthropic_upstream) -> None:
    caller.admin.http.post(f"/admin/keys/{caller.id}/credits", json={"amount": 90})  # images reserve ~1,100 tokens
    file_id = upload(caller, PNG, "cat.png", "vision", "image/png").json()["id"]
    assert caller.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": with_file(file_id)}).status_code == 200
    part = upstream.requests[-1].body["messages"][0]["content"][1]
    assert part == {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()}}
    assert caller.post("/v1/chat/completions", json={"model": CLAUDE, "messages": with_file(file_id)}).status_code == 200
    block = anthropic_upstream.requests[-1].body["messages"][0]["content"][1]
    assert block["type"] == "image" and base64.b64decode(block["source"]["data"]) == PNG


def test_an_uploaded_pdf_becomes_document_input(caller, upstream, anthropic_upstream) -> None:
    caller.admin.http.post(f"/admin/keys/{caller.id}/credits", json={"amount": 90})
    file_id = upload(caller, PDF, "report.pdf", "user_data", "application/pdf").json()["id"]
    assert caller.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": with_file(file_id)}).status_code == 200
    part = upstream.requests[-1].body["messages"][0]["content"][1]
    assert part["file"]["filename"] == "report.pdf" and part["file"]["file_data"].startswith("data:application/pdf;base64,")
    anthropic = caller.post("/v1/messages", json={"model": CLAUDE, "max_tokens": 20, "messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "file", "file_id": file_id}}, {"type": "text", "text": "summarise"}]}]})
    assert anthropic.status_code == 200, anthropic.text
    block = anthropic_upstream.requests[-1].body["messages"][0]["content"][0]
    assert block["source"]["type"] == "base64" and base64.b64decode(block["source"]["data"]) == PDF


def test_an_uploaded_text_file_becomes_text(caller, upstream) -> None:
    file_id = upload(caller, b"line one\nline two\n", "notes.md", "user_data", "text/markdown").json()["id"]
    caller.post("/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": with_file(file_id)})
    part = upstream.requests[-1].body["messages"][0]["content"][1]
    assert part == {"type": "text", "text": '<file name="notes.md">\nline one\nline two\n\n</file>'}


def test_another_keys_file_is_a_404_and_costs_nothing(caller, make_caller, upstream) -> None:
    file_id = upload(caller, PNG, "cat.png", "vision", "image/png").json()["id"]
    intruder = make_caller()
    response = intruder.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": with_file(file_id)})
    assert response.status_code == 404 and response.json()["error"]["code"] == "file_not_found"
    assert upstream.requests == [] and intruder.usage() == [] and intruder.balance() == 10


def test_a_file_of_the_wrong_kind_is_a_415(caller, upstream) -> None:
    file_id = upload(caller, b"PK\x03\x04zip", "a.zip", "user_data", "application/zip").json()["id"]
    response = caller.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": with_file(file_id)})
    assert response.status_code == 415 and response.json()["error"]["param"] == "messages.0.content.1"
    assert upstream.requests == []


@pytest.fixture()
def s3_requests(gateway) -> Iterator[list[str]]:
    """The S3 operations the gateway process sends, counted by botocore's `before-send` hook."""
    from tollway.aws_clients import client

    events = client("s3").meta.events
    seen: list[str] = []

    def count(request: Any, **_: Any) -> None:
        seen.append(f"{request.method} {request.url}")

    events.register("before-send.s3", count)
    yield seen
    events.unregister("before-send.s3", count)


def _forged_request(gateway, victim_id: str, route: str, file_id: str) -> httpx.Response:
    forged = "sk-tw-" + victim_id + "x" * 43  # the victim's key id, a secret that is not theirs
    if route == "chat":
        return httpx.post(f"{gateway.url}/v1/chat/completions", headers={"authorization": f"Bearer {forged}"},
                          json={"model": "gpt-4o", "messages": with_file(file_id)})
    return httpx.post(f"{gateway.url}/v1/messages", headers={"x-api-key": forged}, json={
        "model": CLAUDE, "max_tokens": 20, "messages": [{"role": "user", "content": [
            {"type": "document", "source": {"type": "file", "file_id": file_id}}, {"type": "text", "text": "hi"}]}]})


@pytest.mark.parametrize("route", ["chat", "messages"])
@pytest.mark.parametrize("which", ["victims_file", "missing_file"])
def test_a_forged_key_with_the_victims_key_id_gets_401_before_any_s3_read(
        caller, gateway, upstream, anthropic_upstream, s3_requests, route: str, which: str) -> None:
    victims = upload(caller, PNG, "cat.png", "vision", "image/png").json()["id"]
    file_id = victims if which == "victims_file" else "file-" + "0" * 24
    s3_requests.clear()
    response = _forged_request(gateway, caller.id, route, file_id)
    assert response.status_code == 401, response.text
    assert s3_requests == []  # no GetObject, no HeadObject: neither the bytes nor the timing of a miss
    assert upstream.requests == [] and anthropic_upstream.requests == []
    assert caller.usage() == [] and caller.balance() == 10
