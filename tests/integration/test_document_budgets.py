"""A parse that burns work is charged for it, through the gateway: a document over its CPU budget
(TOLLWAY_DOCUMENT_PARSE_SECONDS, set very low here) or over its unpack allowance is a 413, and the
key pays for the pages it got through — at least one — with a usage record that says why."""

from decimal import Decimal

import httpx

from tests.conftest import bearer
from tests.environment import changed_environment
from tests.unit import hostile_documents as hostile

PAGE = Decimal("0.01")
NOTES = b"".join(b"Paragraph %d has a few words in it.\n\n" % n for n in range(3500))  # ~130 KB: parsed in the request


def parse(gateway, key, name: str, data: bytes) -> httpx.Response:
    return httpx.post(f"{gateway.url}/v1/documents/parse", headers=bearer(key), files={"file": (name, data)},
                      timeout=30)


def test_a_parse_over_its_cpu_budget_is_a_413_and_pays_for_the_pages_it_read(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    with changed_environment(TOLLWAY_DOCUMENT_PARSE_SECONDS="0.001"):
        response = parse(gateway, key, "notes.md", NOTES)
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "document_too_complex"
    used = Decimal(response.headers["x-credits-used"])
    assert PAGE <= used < 50 * PAGE
    assert admin.balance(key["id"]) == 1 - used
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert (record["status"], record["http_status"], record["error_code"]) == ("invalid_input", 413,
                                                                               "document_too_complex")
    assert record["credits_micro"] > 0


def test_the_same_document_within_its_budget_is_parsed_and_charged_per_page(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    response = parse(gateway, key, "notes.md", NOTES)
    assert response.status_code == 200, response.text
    assert Decimal(response.headers["x-credits-used"]) == response.json()["usage"]["billable_pages"] * PAGE


def test_a_pdf_bomb_is_a_413_and_is_not_free(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    bomb = hostile.flate_pdf([hostile.TEXT_OPERATORS * (8_400_000 // len(hostile.TEXT_OPERATORS))])
    response = parse(gateway, key, "bomb.pdf", bomb)
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "document_too_large"
    assert Decimal(response.headers["x-credits-used"]) == PAGE and admin.balance(key["id"]) == 1 - PAGE
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert (record["http_status"], record["error_code"], record["credits_micro"]) == (413, "document_too_large",
                                                                                      10_000)


def test_a_crafted_html_page_is_answered_at_once(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    response = parse(gateway, key, "page.html", hostile.unclosed_dl_html(144_000))
    assert response.status_code == 400 and response.json()["error"]["code"] == "empty_document"
    assert response.elapsed.total_seconds() < 3
