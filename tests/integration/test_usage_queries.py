"""Usage reads: a key's records over a range, by provider, newest first, paged with totals over the
whole range; the operator's view across keys from the day indexes; one request by its id, and never
another key's."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx

from tests.conftest import bearer, flush_ledger
from tollway.usage.queries import decode_cursor, request_record, request_time, usage_page


def chat(gateway, key, model: str = "gpt-4o-mini") -> httpx.Response:
    response = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key), timeout=15,
                          json={"model": model, "messages": [{"role": "user", "content": "count these words"}]})
    assert response.status_code == 200, response.text
    return response


def test_a_keys_usage_is_paged_newest_first_with_totals_over_the_whole_range(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=1000)
    started = time.time()
    answers = [chat(gateway, key) for _ in range(5)] + [chat(gateway, key, "local/echo") for _ in range(2)]
    flush_ledger()
    first = usage_page(key_id=key["id"], since=started - 1, limit=3)
    assert first.summary.total_requests == 7 and first.summary.total_errors == 0
    assert Decimal(first.summary.total_credits_micro) / 1_000_000 == sum(
        Decimal(a.headers["x-credits-used"]) for a in answers)
    assert len(first.records) == 3 and first.next_cursor is not None
    assert [r["at"] for r in first.records] == sorted((r["at"] for r in first.records), reverse=True)
    rest = usage_page(key_id=key["id"], since=started - 1, limit=10, cursor=first.next_cursor)
    ids = [r["request_id"] for r in first.records + rest.records]
    assert len(ids) == len(set(ids)) == 7 and rest.next_cursor is None
    assert {a.headers["x-request-id"] for a in answers} == set(ids)

    local = usage_page(key_id=key["id"], since=started - 1, provider="local")
    assert local.summary.total_requests == 2 and {r["model"] for r in local.records} == {"local/echo"}


def test_the_operators_view_reads_every_keys_records_from_the_day_indexes(gateway, admin, upstream) -> None:
    one, two = admin.create_key(credits=1000), admin.create_key(credits=1000)
    started = time.time()
    for key in (one, two):
        chat(gateway, key)
    flush_ledger()
    everyone = usage_page(key_id=None, since=started - 1, limit=1000)
    assert {one["id"], two["id"]} <= {r["key_id"] for r in everyone.records}
    just_two = usage_page(key_id=None, only_key=two["id"], since=started - 1)
    assert {r["key_id"] for r in just_two.records} == {two["id"]}
    by_provider = usage_page(key_id=None, provider="openai", since=started - 1, limit=1000)
    assert {r["provider"] for r in by_provider.records} == {"openai"}


def test_a_request_is_found_by_its_id_only_for_its_own_key(gateway, admin, upstream) -> None:
    owner, other = admin.create_key(credits=1000), admin.create_key(credits=1000)
    request_id = chat(gateway, owner).headers["x-request-id"]
    flush_ledger()
    assert abs(request_time(request_id) - time.time()) < 30  # type: ignore[operator]
    found = request_record(owner["id"], request_id)
    assert found is not None and found["status"] == "ok"
    assert request_record(other["id"], request_id) is None
    assert request_record(owner["id"], "req_notarealrequestid0000") is None


def test_a_cursor_that_is_not_ours_is_refused() -> None:
    for cursor in ("", "not-base64!", "W10", "eyJhIjoxfQ"):
        try:
            decode_cursor(cursor)
        except ValueError:
            continue
        raise AssertionError(f"{cursor!r} was taken as a cursor")
