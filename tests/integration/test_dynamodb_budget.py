"""How many DynamoDB requests a chat costs. With a lease (a key whose balance holds 64 reservations),
none on its path: admission and settlement happen in memory, and a flush writes every request the
process settled for the key in one PutItem of records and one UpdateItem of charges. Without one
(a small balance), at most one request before the upstream call (auth, scope, rate limit and
reservation together) and one after (settlement with the usage record).

Counted with botocore's `before-send` hook, which fires once per HTTP attempt, retries included.
"""

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import bearer


@pytest.fixture()
def dynamodb_requests(gateway) -> Iterator[list[tuple[str, float]]]:
    from tollway.aws_clients import client

    events = client("dynamodb").meta.events
    seen: list[tuple[str, float]] = []

    def count(request: Any, **_: Any) -> None:
        if threading.current_thread().name == "tollway-ledger-flush":
            return  # the flusher's own writes are counted by the tests that flush
        seen.append((request.headers.get("X-Amz-Target", b"").decode().split(".")[-1], time.monotonic()))

    events.register("before-send.dynamodb", count)
    yield seen
    events.unregister("before-send.dynamodb", count)


def wait_for(seen: list[Any], count: int, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(seen) < count and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "stream"])
def test_a_small_balance_chat_makes_one_dynamodb_request_before_the_upstream_and_one_after(
        gateway, admin, upstream, dynamodb_requests, streaming: bool) -> None:
    key = admin.create_key(credits=1)
    body = {"model": "gpt-4o-mini", "stream": streaming, "messages": [{"role": "user", "content": "hi there"}]}
    url = f"{gateway.url}/v1/chat/completions"
    assert httpx.post(url, json=body, headers=bearer(key)).status_code == 200  # warm: clients, pools, caches
    admin.wait_for_usage(key["id"], 1)
    dynamodb_requests.clear()

    response = httpx.post(url, json=body, headers=bearer(key))
    assert response.status_code == 200
    wait_for(dynamodb_requests, 2)
    time.sleep(0.2)  # a third request, if the code made one, would have been sent by now
    upstream_called_at = upstream.requests[-1].at
    before = [op for op, at in dynamodb_requests if at < upstream_called_at]
    after = [op for op, at in dynamodb_requests if at >= upstream_called_at]
    assert before == ["UpdateItem"]
    assert len(after) == 1 and after[0] in ("PutItem", "TransactWriteItems")


def test_a_refused_request_makes_one_request_and_records_the_refusal_in_one_more(
        gateway, admin, dynamodb_requests) -> None:
    key = admin.create_key(credits=0)
    dynamodb_requests.clear()  # the admin API runs in this process too
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    assert httpx.post(f"{gateway.url}/v1/chat/completions", json=body, headers=bearer(key)).status_code == 402
    assert [op for op, _ in dynamodb_requests] == ["UpdateItem", "PutItem"]


def test_a_read_only_call_on_a_warm_process_answers_from_the_key_cache(gateway, admin, dynamodb_requests) -> None:
    key = admin.create_key(credits=0)
    httpx.get(f"{gateway.url}/v1/models", headers=bearer(key))
    dynamodb_requests.clear()
    for _ in range(3):
        assert httpx.get(f"{gateway.url}/v1/models", headers=bearer(key)).status_code == 200
    assert dynamodb_requests == []


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "stream"])
def test_leased_chats_make_no_dynamodb_request_each_and_a_flush_writes_them_all_in_two(
        gateway, admin, upstream, dynamodb_requests, streaming: bool) -> None:
    from tests.conftest import flush_ledger

    key = admin.create_key(credits=1000)
    body = {"model": "gpt-4o-mini", "stream": streaming, "messages": [{"role": "user", "content": "hi there"}]}
    url = f"{gateway.url}/v1/chat/completions"
    for _ in range(2):  # the first is admitted per request and reads the key; the second takes a lease
        assert httpx.post(url, json=body, headers=bearer(key)).status_code == 200
    flush_ledger()
    dynamodb_requests.clear()

    for _ in range(20):
        assert httpx.post(url, json=body, headers=bearer(key)).status_code == 200
    # Admitted and settled in memory; the lease grew to the key's traffic once or twice on the way
    # (a conditional UpdateItem moving more of the balance into it), never once per request.
    grows = [op for op, _ in dynamodb_requests]
    assert set(grows) <= {"UpdateItem"} and len(grows) <= 2

    dynamodb_requests.clear()
    flush_ledger()
    assert sorted(op for op, _ in dynamodb_requests) == ["PutItem", "UpdateItem"]  # 20 records, 20 charges
    records = admin.usage(key["id"])
    assert len(records) == 22 and {r["status"] for r in records} == {"ok"}
