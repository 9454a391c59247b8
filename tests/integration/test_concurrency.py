"""Concurrent requests can never overspend a balance: admission is one conditional write.

The emulator serializes DynamoDB requests exactly as `tollway serve` does (DESIGN.md, "Local
emulator facts"), so these tests hold the local gateway to the promise real DynamoDB keeps.
"""

import asyncio
import threading
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx

from tests.conftest import bearer
from tests.fakes.openai_upstream import Behaviour
from tollway.catalog import resolve
from tollway.wire.token_estimate import estimate_prompt_tokens

REQUESTS = 64
AFFORDABLE = 10
BODY = {"model": "gpt-4o-mini", "max_tokens": 3, "messages": [{"role": "user", "content": "one two three"}]}
# The reservation rule (the prompt's bound + max tokens, at the model's price), in micro-credits.
RESERVE = resolve("gpt-4o-mini").cost(estimate_prompt_tokens(BODY["messages"], bound=True), 3)  # type: ignore[union-attr]


async def fire(url: str, key: dict[str, Any], on_all_in_flight: Any = None) -> list[httpx.Response]:
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=REQUESTS), timeout=30) as client:
        tasks = [asyncio.create_task(client.post(f"{url}/v1/chat/completions", json=BODY, headers=bearer(key)))
                 for _ in range(REQUESTS)]
        if on_all_in_flight:
            await on_all_in_flight(tasks)
        return list(await asyncio.gather(*tasks))


def test_concurrent_requests_never_overspend_balance(gateway, admin, upstream) -> None:
    start = Decimal(AFFORDABLE * RESERVE) / 1_000_000
    key = admin.create_key(credits=str(start), rpm=400)
    release = threading.Event()
    upstream.default = Behaviour(hold=release, hold_timeout_s=30)

    async def release_when_decided(tasks: list[asyncio.Task[httpx.Response]]) -> None:
        # Hold every admitted request at the upstream until all 64 are admitted or refused, so
        # no settlement can refund credits to a later request: exactly AFFORDABLE must get in.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if sum(t.done() for t in tasks) + len(upstream.requests) >= REQUESTS:
                break
            await asyncio.sleep(0.01)
        release.set()

    responses = asyncio.run(fire(gateway.url, key, release_when_decided))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: AFFORDABLE, 402: REQUESTS - AFFORDABLE}
    assert len(upstream.requests) == AFFORDABLE
    for refused in (r for r in responses if r.status_code == 402):
        assert refused.json()["error"]["code"] == "insufficient_credits"
    spent = sum(Decimal(r.headers["x-credits-used"]) for r in responses)
    balance = admin.balance(key["id"])
    assert balance == start - spent and balance >= 0
    records = admin.wait_for_usage(key["id"], REQUESTS)
    assert Counter(r["status"] for r in records) == {"ok": AFFORDABLE, "refused": REQUESTS - AFFORDABLE}
    assert sum(r["credits_micro"] for r in records) == spent * 1_000_000


def test_free_running_concurrent_requests_keep_the_books_exact(gateway, admin, upstream) -> None:
    # No hold: refunds flow back while others are admitted, so how many succeed varies, but the
    # balance always equals the start minus what the answers said they cost, and never goes negative.
    start = Decimal(AFFORDABLE * RESERVE) / 1_000_000
    key = admin.create_key(credits=str(start), rpm=400)
    responses = asyncio.run(fire(gateway.url, key))
    assert {r.status_code for r in responses} <= {200, 402}
    assert sum(r.status_code == 200 for r in responses) >= AFFORDABLE
    spent = sum(Decimal(r.headers["x-credits-used"]) for r in responses)
    assert admin.balance(key["id"]) == start - spent >= 0
