"""Keys of an account share the account's credits: no set of requests on any of its keys can take the
account below zero, each key's spending cap holds, and the sweeper gives an abandoned reservation back
to both. The books balance over the account: start + grants = balance + charges of all its keys +
holds."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from typing import Any

import httpx

from tests.conftest import bearer
from tests.fakes.openai_upstream import Behaviour
from tollway.auth.keys import parse_key
from tollway.aws_clients import client
from tollway.catalog import resolve
from tollway.config import settings
from tollway.ledger.accounts import create_account
from tollway.ledger.admission import admit
from tollway.ledger.holds import Hold
from tollway.ledger.lease_store import read_key
from tollway.ledger.sweeper import sweep
from tollway.usage.store import records_of
from tollway.wire.token_estimate import estimate_prompt_tokens

BODY = {"model": "gpt-4o-mini", "max_tokens": 3, "messages": [{"role": "user", "content": "one two three"}]}
RESERVE = resolve("gpt-4o-mini").cost(estimate_prompt_tokens(BODY["messages"], bound=True), 3)  # type: ignore[union-attr]


def account_key(admin, account_id: str, cap: int | None = None, rpm: int = 400) -> dict[str, Any]:
    """A key of the account (made with the admin API, then attached, as the console makes them)."""
    key = admin.create_key(credits=0, rpm=rpm)
    names, values, sets = {"#a": "account_id"}, {":a": {"S": account_id}}, ["#a = :a"]
    if cap is not None:
        names["#c"], values[":c"] = "cap_left", {"N": str(cap)}
        sets.append("#c = :c")
    client("dynamodb").update_item(TableName=settings().keys_table, Key={"id": {"S": key["id"]}},
                                   UpdateExpression="SET " + ", ".join(sets) + " REMOVE balance",
                                   ExpressionAttributeNames=names, ExpressionAttributeValues=values)
    return key


def fund(account_id: str, micro: int) -> None:
    from tollway.auth.store import add_credits

    add_credits(account_id, micro)


def account_books(account_id: str, keys: list[dict[str, Any]]) -> tuple[int, int, int]:
    item = read_key(account_id)
    assert item is not None
    holds = sum(int(h["M"]["amount"]["N"]) for h in item["pending"]["M"].values())
    charges = sum(int(r["credits_micro"]) for key in keys for r in records_of(key["id"]))
    return int(item["balance"]["N"]), charges, holds


def test_keys_of_an_account_share_its_balance_and_never_overspend_it_together(gateway, admin, upstream) -> None:
    account = create_account("user_test")
    start = 10 * RESERVE
    fund(account, start)
    keys = [account_key(admin, account), account_key(admin, account)]
    release = threading.Event()
    upstream.default = Behaviour(hold=release, hold_timeout_s=30)

    async def fire() -> list[httpx.Response]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=64), timeout=30) as http:
            tasks = [asyncio.create_task(http.post(f"{gateway.url}/v1/chat/completions", json=BODY,
                                                   headers=bearer(keys[i % 2]))) for i in range(64)]
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and sum(t.done() for t in tasks) + len(upstream.requests) < 64:
                await asyncio.sleep(0.01)
            release.set()
            return list(await asyncio.gather(*tasks))

    responses = asyncio.run(fire())
    assert Counter(r.status_code for r in responses) == {200: 10, 402: 54}
    balance, charges, holds = account_books(account, keys)
    assert balance + charges + holds == start and holds == 0 and balance >= 0
    assert {int(r["credits_micro"]) > 0 for k in keys for r in records_of(k["id"]) if r["status"] == "ok"} == {True}


def test_a_key_past_its_spending_cap_is_refused_and_gets_the_unspent_part_of_each_reservation_back(
        gateway, admin, upstream) -> None:
    account = create_account("user_cap")
    fund(account, 100 * RESERVE)
    key = account_key(admin, account, cap=RESERVE - 1)
    refused = httpx.post(f"{gateway.url}/v1/chat/completions", json=BODY, headers=bearer(key))
    assert refused.status_code == 402 and refused.json()["error"]["code"] == "spending_cap_reached"

    roomy = account_key(admin, account, cap=3 * RESERVE)
    used = 0
    for _ in range(3):
        response = httpx.post(f"{gateway.url}/v1/chat/completions", json=BODY, headers=bearer(roomy))
        assert response.status_code == 200
        used += int(round(float(response.headers["x-credits-used"]) * 1_000_000))
    left = int(read_key(roomy["id"])["cap_left"]["N"])  # type: ignore[index]
    assert left == 3 * RESERVE - used  # every reservation's unspent part came back to the cap
    balance, charges, holds = account_books(account, [key, roomy])
    assert balance + charges + holds == 100 * RESERVE


def test_an_abandoned_reservation_of_an_account_key_is_given_back_to_the_account_and_the_cap(
        environment, admin) -> None:
    account = create_account("user_sweep")
    fund(account, 1_000_000)
    key = account_key(admin, account, cap=600_000)
    ref = parse_key(key["key"])
    assert ref is not None
    admit(ref, "ai:generate", 250_000, time.time(), Hold("req_acct_died", 60, "chat.completions", "gpt-4o"))
    assert int(read_key(account)["balance"]["N"]) == 750_000  # type: ignore[index]
    assert int(read_key(key["id"])["cap_left"]["N"]) == 350_000  # type: ignore[index]
    assert "req_acct_died" in sweep(now=time.time() + 61).released
    assert int(read_key(account)["balance"]["N"]) == 1_000_000  # type: ignore[index]
    assert int(read_key(key["id"])["cap_left"]["N"]) == 600_000  # type: ignore[index]
    (record,) = records_of(key["id"])
    assert (record["request_id"], record["status"], record["key_id"]) == ("req_acct_died", "expired", key["id"])
