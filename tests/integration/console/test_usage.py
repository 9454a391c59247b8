"""Usage in the console: credits and requests per day and per model over 7 and 30 days, the request
log and one request's details — read from the same usage records the ledger writes — and the
intended account behaviour (balance shown is the account's, spent per key)."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx

from tests.conftest import bearer, flush_ledger
from tests.integration.console.client import Console
from tests.integration.console.funding import fund


def chat(console: Console, key: dict, text: str = "hello usage") -> httpx.Response:  # type: ignore[type-arg]
    return httpx.post(f"{console.url}/v1/chat/completions", headers=bearer(key["key"]), timeout=10,
                      json={"model": "local/echo", "messages": [{"role": "user", "content": text}]})


def wait_for_log(user, count: int) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    deadline = time.monotonic() + 10
    while True:
        flush_ledger()
        log = user.api("GET", "/requests").json()["data"]
        if len(log) >= count or time.monotonic() > deadline:
            return log  # type: ignore[no-any-return]
        time.sleep(0.05)


def test_usage_per_day_and_model_and_the_request_log_show_every_key_of_the_account(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    laptop, server = ada.create_key("laptop"), ada.create_key("server")
    fund(console.admin, ada.account_id, "1")
    answers = [chat(console, laptop), chat(console, laptop, "two words"), chat(console, server)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    log = wait_for_log(ada, 3)
    assert [r["request_id"] for r in log] == [a.headers["x-request-id"] for a in reversed(answers)]
    assert [r["key_name"] for r in log] == ["server", "laptop", "laptop"]
    assert all(r["model"] == "local/echo" and r["http_status"] == 200 and r["credits"] > 0 for r in log)

    week = ada.api("GET", "/usage?days=7").json()
    assert len(week["days"]) == 7 and week["days"][-1]["date"] == time.strftime("%Y-%m-%d", time.gmtime())
    today = week["days"][-1]
    assert today["requests"] == 3 and [m["model"] for m in today["models"]] == ["local/echo"]
    assert week["totals"]["requests"] == 3 and week["models"][0]["requests"] == 3
    spent = sum(Decimal(str(r["credits"])) for r in log)
    assert Decimal(str(week["totals"]["credits"])) == spent
    assert len(ada.api("GET", "/usage?days=30").json()["days"]) == 30
    assert ada.api("GET", "/usage?days=8").status_code == 400

    one = ada.api("GET", f"/requests/{log[0]['request_id']}").json()
    assert one["key_name"] == "server" and one["endpoint"] == "chat.completions" and one["tokens_in"] > 0
    page = ada.http.get(f"/console/usage/requests/{log[0]['request_id']}")
    assert page.status_code == 200 and log[0]["request_id"] in page.text
    usage_page = ada.http.get("/console/usage?days=30").text
    assert usage_page.count("<rect") >= 1 and "local/echo" in usage_page and "<svg" in usage_page


def test_another_users_request_id_is_not_found(console: Console) -> None:
    ada, eve = console.user().sign_up("Ada"), console.user().sign_up("Eve")
    key = ada.create_key("laptop")
    fund(console.admin, ada.account_id, "1")
    request_id = chat(console, key).headers["x-request-id"]
    wait_for_log(ada, 1)
    assert ada.api("GET", f"/requests/{request_id}").status_code == 200
    stolen = eve.api("GET", f"/requests/{request_id}")
    assert stolen.status_code == 404 and request_id not in str(eve.api("GET", "/requests").json())
    assert eve.http.get(f"/console/usage/requests/{request_id}").status_code == 404
    assert eve.api("GET", "/requests/..%2F..%2Fx").status_code == 404


def test_another_users_key_cannot_be_seen_used_in_the_console_or_revoked(console: Console) -> None:
    ada, eve = console.user().sign_up("Ada"), console.user().sign_up("Eve")
    key = ada.create_key("laptop")
    assert key["id"] not in str(eve.api("GET", "/keys").json())
    refused = eve.api("DELETE", f"/keys/{key['id']}")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "key_not_found"
    assert ada.api("GET", "/keys").json()["data"][0]["revoked_at"] is None
    assert eve.api("DELETE", "/keys/not-a-key-id").status_code == 404
    assert eve.api("DELETE", f"/keys/{ada.account_id}").status_code == 404  # the account item is no key


def test_an_account_key_spends_the_accounts_credits_and_counts_what_it_spent(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    key = ada.create_key("laptop")
    assert console.grant(ada.account_id, "1").status_code == 200
    assert chat(console, key).status_code == 200
    flush_ledger()
    account = ada.api("GET", "/account").json()["account"]
    assert Decimal(str(account["credits"])) < 1
    assert ada.api("GET", "/keys").json()["data"][0]["spent"] > 0


def test_a_keys_spending_cap_stops_that_key_only(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    capped, free = ada.create_key("capped", cap="0.000001"), ada.create_key("free")
    assert console.grant(ada.account_id, "1").status_code == 200
    first = chat(console, capped, "a long enough message to cost more than the cap")
    second = chat(console, capped)
    assert 402 in (first.status_code, second.status_code)
    assert chat(console, free).status_code == 200
