"""Attacks on the money path, each reproduced against the running gateway (issue 10, Money):
leaving a stream early to skip the prompt, outliving a hold, usage beyond the reservation, options
that cost more than tokens, and free count_tokens calls. After each, the books must balance:
start + top-ups = balance + charges + outstanding holds, exactly."""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import bearer, fresh_rate_window
from tests.environment import changed_environment
from tests.fakes.scripted import Behaviour, Reply, TokenUsage
from tests.ledger_books import assert_conserved, books
from tollway.catalog import resolve
from tollway.ledger.money import to_micro
from tollway.ledger.sweeper import sweep
from tollway.wire.token_estimate import estimate_messages_tokens, estimate_prompt_tokens

CLAUDE, GEMINI, GROQ = "claude-sonnet-4-20250514", "gemini-2.5-flash", "llama-3.3-70b-versatile"
LONG_PROMPT = " ".join(f"w{i % 997}" for i in range(75_000))  # ~370 KB
REPORTED_INPUT = 74_256


def price(model: str, prompt: int, completion: int) -> int:
    spec = resolve(model)
    assert spec is not None
    return spec.cost(prompt, completion)


def leave_early(url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    """Stream `body` and hang up as soon as the first piece of the answer arrives."""
    with httpx.stream("POST", url, json=body | {"stream": True}, headers=headers, timeout=30) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if not line.startswith("data: {"):
                continue
            data = json.loads(line[6:])
            delta = (data.get("choices") or [{}])[0].get("delta") or data.get("delta") or {}
            if delta.get("content") or delta.get("reasoning_content") or delta.get("text"):
                return  # the connection closes with the context


def only_record(admin, key: dict[str, Any]) -> dict[str, Any]:
    (record,) = admin.wait_for_usage(key["id"], 1)
    return record


def anthropic_headers(key: dict[str, Any], **extra: str) -> dict[str, str]:
    return {"x-api-key": key["key"], "anthropic-version": "2023-06-01"} | extra


# -- 1. leaving a stream early pays the prompt ------------------------------------------------------

@pytest.mark.parametrize("route", ["chat", "messages"])
def test_leaving_a_claude_stream_after_one_chunk_still_pays_the_whole_reported_prompt(
        gateway, admin, anthropic_upstream, route: str) -> None:
    key = admin.create_key(credits=2000)
    anthropic_upstream.script(Behaviour(chunk_delay_s=0.3, reply=Reply(usage=TokenUsage(input_tokens=REPORTED_INPUT))))
    messages = [{"role": "user", "content": LONG_PROMPT}]
    if route == "chat":
        leave_early(f"{gateway.url}/v1/chat/completions", {"model": CLAUDE, "max_tokens": 40, "messages": messages},
                    bearer(key))
    else:
        leave_early(f"{gateway.url}/v1/messages", {"model": CLAUDE, "max_tokens": 40, "messages": messages},
                    anthropic_headers(key))
    record = only_record(admin, key)
    assert record["status"] == "client_disconnected"
    assert record["tokens_in"] == REPORTED_INPUT  # message_start said so before any text
    assert 1 <= record["tokens_out"] < 40
    assert record["credits_micro"] == price(CLAUDE, REPORTED_INPUT, record["tokens_out"])
    assert record["credits_micro"] > 445_000_000  # the prompt alone: 74,256 × 0.006
    assert_conserved(key["id"], to_micro(2000))


def test_leaving_a_translated_groq_message_stream_early_pays_the_estimated_prompt(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=500)
    upstream.script(Behaviour(chunk_delay_s=0.3))
    body = {"model": GROQ, "max_tokens": 40, "messages": [{"role": "user", "content": LONG_PROMPT}]}
    with changed_environment(GROQ_BASE_URL=upstream.base_url, GROQ_API_KEY="gsk-test-upstream"):
        leave_early(f"{gateway.url}/v1/messages", body, anthropic_headers(key))
    record = only_record(admin, key)
    # An OpenAI-compatible upstream reports usage only at the end: the prompt is the gateway's estimate.
    assert record["status"] == "client_disconnected"
    assert record["tokens_in"] == estimate_messages_tokens(body) > 100_000
    assert record["credits_micro"] == price(GROQ, record["tokens_in"], record["tokens_out"])
    assert_conserved(key["id"], to_micro(500))


def test_one_huge_gemini_chunk_left_early_is_charged_by_its_text_not_as_one_token(
        gateway, admin, gemini_upstream) -> None:
    key = admin.create_key(credits=100)
    thought = " ".join(["deliberation"] * 4_000)
    gemini_upstream.script(Behaviour(chunk_delay_s=0.5, reply=Reply(thinking=thought, text="short answer",
                                                                    usage=TokenUsage(input_tokens=5_000))))
    leave_early(f"{gateway.url}/v1/chat/completions",
                {"model": GEMINI, "messages": [{"role": "user", "content": "think hard"}]}, bearer(key))
    record = only_record(admin, key)
    assert record["tokens_in"] == 5_000  # Gemini's usageMetadata arrives with the first chunk
    assert record["tokens_out"] >= len(thought.encode()) // 3 > 4_000
    assert record["credits_micro"] == price(GEMINI, 5_000, record["tokens_out"])
    assert_conserved(key["id"], to_micro(100))


# -- 2. no request outlives its hold ---------------------------------------------------------------

def test_a_stream_longer_than_its_hold_is_stopped_before_the_hold_expires_and_charged(
        gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    upstream.script(Behaviour(chunk_delay_s=0.3))
    messages = [{"role": "user", "content": " ".join(["word"] * 30)}]
    started = time.monotonic()
    with changed_environment(TOLLWAY_HOLD_SECONDS="2"):
        with httpx.stream("POST", f"{gateway.url}/v1/chat/completions", headers=bearer(key), timeout=30,
                          json={"model": "gpt-4o-mini", "stream": True, "messages": messages}) as response:
            lines = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]
        took = time.monotonic() - started
        record = only_record(admin, key)
    assert lines[-1]["error"]["code"] == "request_time_limit"
    assert took < 2.0  # ended (and settled) inside its 2-second hold
    assert (record["status"], record["http_status"]) == ("time_limit", 504)
    assert record["tokens_in"] == estimate_prompt_tokens(messages) and record["tokens_out"] >= 3
    assert record["credits_micro"] == price("gpt-4o-mini", record["tokens_in"], record["tokens_out"])
    assert books(key["id"]).holds == 0 and sweep(now=time.time() + 60).released == []
    assert_conserved(key["id"], to_micro(10))


def test_a_stream_alive_when_its_hold_is_swept_still_pays_in_full(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    words = ["word"] * 12
    upstream.script(Behaviour(chunk_delay_s=0.25))
    swept: list[Any] = []
    with changed_environment(TOLLWAY_CHECKPOINT_SECONDS="0.2"):
        with httpx.stream("POST", f"{gateway.url}/v1/chat/completions", headers=bearer(key), timeout=30,
                          json={"model": "gpt-4o-mini", "stream": True,
                                "messages": [{"role": "user", "content": " ".join(words)}]}) as response:
            received = 0
            for line in response.iter_lines():
                if line.startswith("data: {") and json.loads(line[6:])["choices"][0]["delta"].get("content"):
                    received += 1
                    if received == 6 and not swept:
                        # As if the process had been frozen past the hold's deadline: the sweeper runs.
                        threading.Thread(target=lambda: swept.append(sweep(now=time.time() + 10_000))).start()
        assert received == len(words)
        record = only_record(admin, key)
    (report,) = swept
    assert report.released and report.charged_micro > 0  # what the stream had checkpointed
    full = price("gpt-4o-mini", 10, len(words))  # the fake reports 10 prompt tokens and a token a word
    assert (record["status"], record["credits_micro"]) == ("ok", full)
    assert record["swept_micro"] == report.charged_micro
    assert admin.balance(key["id"]) == 10 - Decimal(full) / 1_000_000
    assert_conserved(key["id"], to_micro(10))


# -- 3. the charge is what the provider reports, beyond the reservation --------------------------

@pytest.mark.parametrize("streaming", [False, True], ids=["json", "stream"])
def test_usage_reported_beyond_the_reservation_is_charged_in_full(gateway, admin, upstream, streaming: bool) -> None:
    key = admin.create_key(credits=1000)
    upstream.script(Behaviour(reply=Reply(usage=TokenUsage(input_tokens=500_000))))
    body = {"model": "gpt-4o-mini", "stream": streaming, "messages": [{"role": "user", "content": "hi there"}]}
    response = httpx.post(f"{gateway.url}/v1/chat/completions", json=body, headers=bearer(key), timeout=15)
    assert response.status_code == 200
    record = only_record(admin, key)
    charge = price("gpt-4o-mini", 500_000, 2)
    assert record["credits_micro"] == charge > record["reserved_micro"]
    if not streaming:
        assert Decimal(response.headers["x-credits-used"]) == Decimal(charge) / 1_000_000
    assert admin.balance(key["id"]) == 1000 - Decimal(charge) / 1_000_000
    assert_conserved(key["id"], to_micro(1000))


def test_a_charge_the_balance_cannot_cover_leaves_the_key_owing_and_refused_until_topped_up(
        gateway, admin, upstream) -> None:
    key = admin.create_key(credits=1)
    upstream.script(Behaviour(reply=Reply(usage=TokenUsage(input_tokens=500_000))))
    ask = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi there"}]}
    assert httpx.post(f"{gateway.url}/v1/chat/completions", json=ask, headers=bearer(key)).status_code == 200
    charge = price("gpt-4o-mini", 500_000, 2)
    assert admin.balance(key["id"]) == 1 - Decimal(charge) / 1_000_000 < 0  # owing
    refused = httpx.post(f"{gateway.url}/v1/chat/completions", json=ask, headers=bearer(key))
    assert refused.status_code == 402 and refused.json()["error"]["code"] == "insufficient_credits"
    top_up = admin.http.post(f"/admin/keys/{key['id']}/credits", json={"amount": 500})
    assert top_up.status_code == 200, top_up.text
    assert httpx.post(f"{gateway.url}/v1/chat/completions", json=ask, headers=bearer(key)).status_code == 200
    assert_conserved(key["id"], to_micro(1), top_ups_micro=to_micro(500))


@pytest.mark.parametrize(("route", "body", "extra_headers", "param"), [
    ("chat", {"service_tier": "priority"}, {}, "service_tier"),
    ("chat", {"web_search_options": {}}, {}, "web_search_options"),
    ("chat", {"modalities": ["text", "audio"], "audio": {"voice": "alloy", "format": "wav"}}, {}, "modalities"),
    ("messages", {"tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 5}]}, {},
     "tools.0.type"),
    ("messages", {"tools": [{"type": "code_execution_20250522", "name": "code_execution"}]}, {}, "tools.0.type"),
    ("messages", {"mcp_servers": [{"type": "url", "url": "https://mcp.example.com/sse", "name": "x"}]}, {},
     "mcp_servers"),
    ("messages", {}, {"anthropic-beta": "interleaved-thinking-2025-05-14,context-1m-2025-08-07"}, "anthropic-beta"),
], ids=["priority-tier", "web-search", "audio-output", "server-web-search", "server-code-execution", "mcp", "1m-beta"])
def test_options_that_cost_more_than_tokens_are_refused_before_anything_is_reserved(
        gateway, admin, upstream, anthropic_upstream, route: str, body: dict[str, Any],
        extra_headers: dict[str, str], param: str) -> None:
    key = admin.create_key(credits=10)
    messages = [{"role": "user", "content": "hello"}]
    if route == "chat":
        response = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key) | extra_headers,
                              json={"model": "gpt-4o-mini", "messages": messages} | body)
        error = response.json()["error"]
        assert (error["code"], error["param"]) == ("unpriced_parameter", param)
    else:
        response = httpx.post(f"{gateway.url}/v1/messages", headers=anthropic_headers(key, **extra_headers),
                              json={"model": CLAUDE, "max_tokens": 10, "messages": messages} | body)
        assert response.json()["type"] == "error" and param in response.json()["error"]["message"]
    assert response.status_code == 400
    assert upstream.requests == [] and anthropic_upstream.requests == []
    assert admin.usage(key["id"]) == [] and admin.balance(key["id"]) == 10


def test_client_tools_and_harmless_betas_still_reach_claude(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=10)
    body = {"model": CLAUDE, "max_tokens": 10, "messages": [{"role": "user", "content": "hello"}],
            "tools": [{"name": "lookup", "input_schema": {"type": "object"}},
                      {"type": "text_editor_20250124", "name": "str_replace_editor"}]}
    response = httpx.post(f"{gateway.url}/v1/messages", json=body, timeout=15,
                          headers=anthropic_headers(key, **{"anthropic-beta": "interleaved-thinking-2025-05-14"}))
    assert response.status_code == 200, response.text
    assert anthropic_upstream.requests[-1].headers["anthropic-beta"] == "interleaved-thinking-2025-05-14"


# -- 8. count_tokens is rate limited ---------------------------------------------------------------

def test_count_tokens_counts_against_the_keys_requests_per_minute(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=1, rpm=30)
    body = {"model": CLAUDE, "messages": [{"role": "user", "content": "how many tokens is this"}]}
    fresh_rate_window()
    for n in range(30):
        counted = httpx.post(f"{gateway.url}/v1/messages/count_tokens", json=body, headers=anthropic_headers(key))
        assert counted.status_code == 200, counted.text
        assert counted.headers["x-ratelimit-remaining-requests"] == str(29 - n)
    refused = httpx.post(f"{gateway.url}/v1/messages/count_tokens", json=body, headers=anthropic_headers(key))
    assert refused.status_code == 429 and refused.json()["error"]["type"] == "rate_limit_error"
    assert "retry-after" in refused.headers
    assert len([r for r in anthropic_upstream.requests if r.path.endswith("count_tokens")]) == 30
    assert admin.balance(key["id"]) == 1 and admin.usage(key["id"]) == []
