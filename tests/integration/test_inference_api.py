"""The native Inference API (/api/v1/inference) on the in-process gateway: enveloped chat and its
stream through the fake upstreams, charged exactly like /v1; usage and the request log read back,
one key never seeing another's; bad input on every route refused in the envelope, changing nothing."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import bearer, flush_ledger
from tests.fakes.scripted import Behaviour

API = "/api/v1/inference"


def post(gateway, key, path: str, body: Any, **kw: Any) -> httpx.Response:
    return httpx.post(f"{gateway.url}{API}{path}", headers=bearer(key), json=body, timeout=15, **kw)


def get(gateway, key, path: str, **params: Any) -> httpx.Response:
    # The operator's view queries every shard of the day index: slow in the emulator after a long session.
    return httpx.get(f"{gateway.url}{API}{path}", headers=bearer(key), params=params, timeout=60)


def events(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")]


def assert_refused(response: httpx.Response, status: int, code: str, mentions: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == code, body
    assert set(body["error"]) == {"code", "message"} and mentions in body["error"]["message"], body


def test_chat_answers_in_the_envelope_and_charges_as_v1_does(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "say three words"}],
            "system": "be brief", "maxTokens": 50, "temperature": 0.2}
    response = post(gateway, key, "/chat", body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["success"] is True and set(answer["data"]) == {"content", "model", "usage", "finishReason"}
    data = answer["data"]
    assert data["content"] and data["finishReason"] == "stop" and data["model"]
    assert data["usage"]["inputTokens"] > 0 and data["usage"]["outputTokens"] > 0
    sent = upstream.requests[-1].body
    assert sent["messages"][0] == {"role": "system", "content": "be brief"}
    assert sent["max_tokens"] == 50 and sent["temperature"] == 0.2
    charged = Decimal(response.headers["x-credits-used"])
    assert charged == Decimal(data["usage"]["inputTokens"] + data["usage"]["outputTokens"]) * Decimal("0.0008")
    assert admin.balance(key["id"]) == Decimal(10) - charged
    assert response.headers["x-request-id"].startswith("req_") and response.headers["x-model-used"] == "gpt-4o-mini"


def test_the_chat_stream_sends_deltas_then_message_stop_with_usage_and_settles(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    with httpx.stream("POST", f"{gateway.url}{API}/chat/stream", headers=bearer(key), timeout=15,
                      json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "one two three"}]}) as r:
        r.read()
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    found = events(r)
    deltas = [e for e in found if e["type"] == "content_block_delta"]
    assert deltas and all(set(e["delta"]) == {"text"} for e in deltas)
    stop = found[-1]
    assert stop["type"] == "message_stop" and stop["usage"]["outputTokens"] > 0 and stop["usage"]["inputTokens"] > 0
    record = admin.wait_for_usage(key["id"], 1)[-1]
    assert record["status"] == "ok" and record["tokens_out"] == stop["usage"]["outputTokens"]
    assert admin.balance(key["id"]) == Decimal(10) - Decimal(record["credits_micro"]) / 1_000_000
    assert record["credits_micro"] > 0


def test_an_upstream_failure_mid_stream_is_an_error_event(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    upstream.script(Behaviour(error_after_chunks=2))
    with httpx.stream("POST", f"{gateway.url}{API}/chat/stream", headers=bearer(key), timeout=15,
                      json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "a b c d e f g"}]}) as r:
        r.read()
    found = events(r)
    assert found[-1]["type"] == "error" and found[-1]["error"]["code"] == "UPSTREAM_ERROR", found
    assert not any(e["type"] == "message_stop" for e in found)


def test_a_failed_upstream_before_any_output_is_an_enveloped_502_that_costs_nothing(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    upstream.script(Behaviour(status=500))
    response = post(gateway, key, "/chat", {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    assert_refused(response, 502, "UPSTREAM_ERROR")
    assert response.headers["x-credits-used"] == "0" and admin.balance(key["id"]) == 10


def test_models_resolve_by_name_to_their_provider(gateway, admin, upstream, anthropic_upstream, gemini_upstream) -> None:
    key = admin.create_key(credits=10)
    for model, fake in (("claude-sonnet-4-20250514", anthropic_upstream), ("gemini-2.5-flash", gemini_upstream),
                        ("gpt-4o", upstream)):
        response = post(gateway, key, "/chat", {"model": model, "messages": [{"role": "user", "content": "hi"}]})
        assert response.status_code == 200, response.text
        assert fake.requests, model


def test_provider_id_must_be_the_provider_that_serves_the_model(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    hello = [{"role": "user", "content": "hi"}]
    assert post(gateway, key, "/chat", {"model": "gpt-4o-mini", "messages": hello, "providerId": "openai"}).status_code == 200
    assert_refused(post(gateway, key, "/chat", {"model": "gpt-4o-mini", "messages": hello, "providerId": "anthropic"}),
                   400, "BAD_REQUEST", "providerId")
    assert_refused(post(gateway, key, "/chat", {"model": "gpt-4o-mini", "messages": hello, "providerId": "nope"}),
                   404, "NOT_FOUND", "providerId")


@pytest.mark.parametrize(("body", "mentions"), [
    ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
    ({"model": "gpt-4o-mini"}, "messages"),
    ({"model": "gpt-4o-mini", "messages": "hi"}, "messages"),
    ({"model": "gpt-4o-mini", "messages": [{"role": "tool", "content": "hi"}]}, "messages.0.role"),
    ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "maxTokens": "10"}, "maxTokens"),
    ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "maxTokens": 0}, "maxTokens"),
    ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "temperature": "hot"}, "temperature"),
    ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 10}, "max_tokens"),
    ({"model": 5, "messages": [{"role": "user", "content": "hi"}]}, "model"),
])
def test_bad_chat_bodies_are_enveloped_400s_that_cost_nothing(gateway, admin, upstream, body, mentions) -> None:
    key = admin.create_key(credits=10)
    for path in ("/chat", "/chat/stream"):
        assert_refused(post(gateway, key, path, body), 400, "BAD_REQUEST", mentions)
    assert not upstream.requests and admin.balance(key["id"]) == 10


def test_keys_and_credits_are_refused_in_the_envelope(gateway, admin, upstream) -> None:
    hello = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    missing = httpx.post(f"{gateway.url}{API}/chat", json=hello, timeout=10)
    assert_refused(missing, 401, "UNAUTHORIZED")
    stranger = "sk-tw-0123456789abcdef" + "x" * 43
    assert_refused(post(gateway, stranger, "/chat", hello), 401, "UNAUTHORIZED")
    # Which providers exist is told only to a valid key.
    assert_refused(post(gateway, stranger, "/chat", hello | {"providerId": "nope"}), 401, "UNAUTHORIZED")
    assert_refused(post(gateway, admin.create_key(credits=0), "/chat", hello), 402, "PAYMENT_REQUIRED")
    reader = admin.create_key(credits=10, scopes=["ai:read"])
    assert_refused(post(gateway, reader, "/chat", hello), 403, "FORBIDDEN")
    assert_refused(httpx.get(f"{gateway.url}{API}/nope", timeout=10), 404, "NOT_FOUND")
    assert not upstream.requests


def chat(gateway, key, content: str = "count these words") -> httpx.Response:
    response = post(gateway, key, "/chat", {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]})
    assert response.status_code == 200, response.text
    return response


def test_usage_totals_equal_what_the_requests_were_charged_and_a_key_sees_only_its_own(gateway, admin, upstream) -> None:
    mine, theirs = admin.create_key(credits=10), admin.create_key(credits=10)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 2))
    answers = [chat(gateway, mine, "one two three " * n) for n in (1, 2, 3)]
    other = chat(gateway, theirs)
    flush_ledger()
    usage = get(gateway, mine, "/usage", since=since)
    assert usage.status_code == 200, usage.text
    data = usage.json()["data"]
    summary = data["summary"]
    assert summary["totalRequests"] == 3 and summary["totalErrors"] == 0
    assert Decimal(str(summary["totalCredits"])) == sum(Decimal(a.headers["x-credits-used"]) for a in answers)
    assert summary["totalInputTokens"] == sum(a.json()["data"]["usage"]["inputTokens"] for a in answers)
    assert summary["totalOutputTokens"] == sum(a.json()["data"]["usage"]["outputTokens"] for a in answers)
    assert summary["totalTokens"] == summary["totalInputTokens"] + summary["totalOutputTokens"]
    ids = {r["requestId"] for r in data["requests"]}
    assert ids == {a.headers["x-request-id"] for a in answers} and data["nextCursor"] is None

    paged = get(gateway, mine, "/usage", since=since, limit=2).json()["data"]
    assert len(paged["requests"]) == 2 and paged["nextCursor"]
    rest = get(gateway, mine, "/usage", since=since, limit=2, cursor=paged["nextCursor"]).json()["data"]
    assert {r["requestId"] for r in paged["requests"] + rest["requests"]} == ids

    one = answers[0].headers["x-request-id"]
    shown = get(gateway, mine, f"/requests/{one}")
    assert shown.status_code == 200, shown.text
    record = shown.json()["data"]
    assert record["model"] == "gpt-4o-mini" and record["provider"] == "openai" and record["status"] == "ok"
    assert Decimal(str(record["credits"])) == Decimal(answers[0].headers["x-credits-used"])
    assert record["fallback"] is False and record["errorCode"] is None and record["durationMs"] >= 0
    assert record["inputTokens"] == answers[0].json()["data"]["usage"]["inputTokens"]

    # Key B sees none of it, on either route; and A none of B's.
    assert_refused(get(gateway, theirs, f"/requests/{one}"), 404, "NOT_FOUND")
    assert_refused(get(gateway, mine, f"/requests/{other.headers['x-request-id']}"), 404, "NOT_FOUND")
    theirs_usage = get(gateway, theirs, "/usage", since=since).json()["data"]
    assert [r["requestId"] for r in theirs_usage["requests"]] == [other.headers["x-request-id"]]
    assert_refused(get(gateway, theirs, "/usage", keyId=mine["id"]), 403, "FORBIDDEN")


def test_the_operator_reads_every_keys_usage_and_may_narrow_it_to_one(gateway, admin, upstream, environment) -> None:
    one, two = admin.create_key(credits=10), admin.create_key(credits=10)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 2))
    first, second = chat(gateway, one), chat(gateway, two)
    flush_ledger()
    everyone = get(gateway, environment, "/usage", since=since, limit=1000).json()["data"]
    seen = {r["requestId"]: r["keyId"] for r in everyone["requests"]}
    assert seen[first.headers["x-request-id"]] == one["id"] and seen[second.headers["x-request-id"]] == two["id"]
    narrowed = get(gateway, environment, "/usage", since=since, keyId=two["id"]).json()["data"]
    assert {r["keyId"] for r in narrowed["requests"]} == {two["id"]}
    assert get(gateway, environment, f"/requests/{first.headers['x-request-id']}").json()["data"]["keyId"] == one["id"]


@pytest.mark.parametrize(("params", "mentions"), [
    ({"since": "yesterday"}, "since"), ({"until": "2026-13-01"}, "until"), ({"limit": "100000"}, "limit"),
    ({"limit": "-1"}, "limit"), ({"limit": "ten"}, "limit"), ({"cursor": "not-a-cursor!"}, "cursor"),
    ({"since": "2020-01-01", "until": "2026-01-01"}, "since"), ({"since": "2026-12-02", "until": "2026-12-01"}, "since"),
    ({"page": "2"}, "page"), ({"provider": "x" * 300}, "provider"), ({"keyId": "../../etc"}, "keyId"),
])
def test_bad_usage_queries_are_enveloped_400s(gateway, admin, params, mentions) -> None:
    assert_refused(get(gateway, admin.create_key(credits=1), "/usage", **params), 400, "BAD_REQUEST", mentions)


def test_dates_alone_cover_whole_days(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    answer = chat(gateway, key)
    flush_ledger()
    today = time.strftime("%Y-%m-%d", time.gmtime())
    found = get(gateway, key, "/usage", since=today, until=today).json()["data"]
    assert answer.headers["x-request-id"] in {r["requestId"] for r in found["requests"]}


def test_an_unknown_or_malformed_request_id_is_a_404(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    for request_id in ("req_0000000000000000", "nothing", "req_" + "f" * 200):
        assert_refused(get(gateway, key, f"/requests/{request_id}"), 404, "NOT_FOUND")
