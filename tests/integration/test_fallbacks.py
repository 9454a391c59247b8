"""Fallback chains, retries with backoff, the circuit breaker and the request deadline.

Two real upstream servers: the fake OpenAI (gpt-*) and a second OpenAI-compatible fake standing in
for DeepSeek (deepseek-*). A model fails → the next one answers, the headers say so, and the key
pays the price of the model that answered.
"""

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import bearer
from tests.environment import changed_environment
from tests.fakes.openai_upstream import PROMPT_TOKENS, Behaviour, FakeOpenAI

ASK = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "one two three"}]}
GPT_MINI, DEEPSEEK_FLASH = Decimal("0.0008"), Decimal("0.0004")


@pytest.fixture()
def deepseek(environment: str) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake, changed_environment(DEEPSEEK_API_KEY="sk-deepseek-test",
                                                   DEEPSEEK_BASE_URL=fake.base_url):
        yield fake


@pytest.fixture()
def policy(environment: str) -> Iterator[Any]:
    """Set routing settings for one test: policy(TOLLWAY_RETRY_ATTEMPTS="2", ...)."""
    with ExitStack() as stack:
        yield lambda **env: stack.enter_context(changed_environment(**env))


def chat(gateway, key: Any, body: dict[str, Any], **kw: Any) -> httpx.Response:
    return httpx.post(f"{gateway.url}/v1/chat/completions", json=body, headers=bearer(key), timeout=15, **kw)


@pytest.mark.parametrize("field", ["fallbacks", "models"])
@pytest.mark.parametrize("failure", [Behaviour(status=500), Behaviour(status=503), Behaviour(delay_s=3),
                                     Behaviour(status=429, retry_after="30")], ids=["500", "503", "timeout", "429"])
def test_a_failing_model_falls_back_and_the_answer_says_so(gateway, admin, upstream, deepseek, field: str,
                                                           failure: Behaviour) -> None:
    key = admin.create_key(credits=1)
    upstream.script(failure)
    chain = ["deepseek-v4-flash"] if field == "fallbacks" else ["gpt-4o-mini", "deepseek-v4-flash"]
    response = chat(gateway, key, ASK | {field: chain})
    assert response.status_code == 200, response.text
    h = response.headers
    assert (h["x-model-used"], h["x-fallback-from"], h["x-fallback-depth"]) == ("deepseek-v4-flash", "gpt-4o-mini", "1")
    assert response.json()["choices"][0]["message"]["content"] == "one two three"
    cost = (PROMPT_TOKENS + 3) * DEEPSEEK_FLASH  # the model that answered, not the one asked for
    assert Decimal(h["x-credits-used"]) == cost and admin.balance(key["id"]) == 1 - cost
    sent = deepseek.requests[-1].body
    assert sent["model"] == "deepseek-v4-flash" and "fallbacks" not in sent and "models" not in sent
    (record,) = admin.usage(key["id"])
    assert (record["model"], record["provider"], record["fallback_from"]) == ("deepseek-v4-flash", "deepseek",
                                                                               "gpt-4o-mini")


def test_a_client_error_does_not_fall_back(gateway, admin, upstream, deepseek) -> None:
    key = admin.create_key(credits=1)
    upstream.script(Behaviour(status=400, error_message="messages: bad"))
    response = chat(gateway, key, ASK | {"fallbacks": ["deepseek-v4-flash"]})
    assert response.status_code == 400 and deepseek.requests == []
    assert admin.balance(key["id"]) == 1


def test_when_every_model_fails_the_last_error_is_returned_and_nothing_charged(gateway, admin, upstream,
                                                                              deepseek) -> None:
    key = admin.create_key(credits=1)
    upstream.script(Behaviour(status=500))
    deepseek.script(Behaviour(status=503))
    response = chat(gateway, key, ASK | {"fallbacks": ["deepseek-v4-flash"]})
    assert response.status_code == 502 and response.headers["x-credits-used"] == "0"
    assert admin.balance(key["id"]) == 1


def test_an_unknown_fallback_is_a_400_and_an_unconfigured_one_is_skipped(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=1)
    bad = chat(gateway, key, ASK | {"fallbacks": ["no-such-model"]})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "fallbacks"
    upstream.script(Behaviour(status=500))
    skipped = chat(gateway, key, ASK | {"fallbacks": ["llama-3.1-8b-instant"]})  # groq: not configured here
    assert skipped.status_code == 502
    assert chat(gateway, key, {"model": "llama-3.1-8b-instant", "messages": ASK["messages"],
                               "fallbacks": ["gpt-4o-mini"]}).headers["x-model-used"] == "gpt-4o-mini"


def test_the_catalog_default_chain_applies_unless_turned_off(gateway, admin, upstream, deepseek, policy) -> None:
    policy(TOLLWAY_DEFAULT_FALLBACKS=json.dumps({"gpt-4o-mini": ["deepseek-v4-flash"]}))
    key = admin.create_key(credits=1)
    upstream.script(Behaviour(status=500), Behaviour(status=500))
    assert chat(gateway, key, ASK).headers["x-model-used"] == "deepseek-v4-flash"
    assert chat(gateway, key, ASK | {"fallbacks": []}).status_code == 502


def test_a_retry_on_the_same_provider_honours_retry_after(gateway, admin, upstream, deepseek, policy) -> None:
    policy(TOLLWAY_RETRY_ATTEMPTS="2")
    key = admin.create_key(credits=1)
    upstream.script(Behaviour(status=429, retry_after="1"))
    started = time.monotonic()
    response = chat(gateway, key, ASK | {"fallbacks": ["deepseek-v4-flash"]})
    assert response.status_code == 200 and response.headers["x-model-used"] == "gpt-4o-mini"
    assert "x-fallback-from" not in response.headers
    assert len(upstream.requests) == 2 and upstream.requests[1].at - upstream.requests[0].at >= 1.0
    assert time.monotonic() - started < 5 and deepseek.requests == []


def test_a_stream_failing_before_its_first_byte_falls_back(gateway, admin, upstream, deepseek) -> None:
    key = admin.create_key(credits=1)
    upstream.script(Behaviour(fail_after_chunks=0))  # 200, then the connection drops before any word
    with httpx.stream("POST", f"{gateway.url}/v1/chat/completions", headers=bearer(key), timeout=15,
                      json=ASK | {"stream": True, "fallbacks": ["deepseek-v4-flash"]}) as response:
        assert response.headers["x-model-used"] == "deepseek-v4-flash"
        assert response.headers["x-fallback-depth"] == "1"
        lines = [line for line in response.iter_lines() if line.startswith("data: {")]
    text = "".join(json.loads(line[6:])["choices"][0]["delta"].get("content") or "" for line in lines)
    assert text == "one two three"


def test_a_stream_failing_after_its_first_byte_ends_with_an_error_and_no_fallback(gateway, admin, upstream,
                                                                                 deepseek) -> None:
    key = admin.create_key(credits=1)
    upstream.script(Behaviour(fail_after_chunks=1))
    with httpx.stream("POST", f"{gateway.url}/v1/chat/completions", headers=bearer(key), timeout=15,
                      json=ASK | {"stream": True, "fallbacks": ["deepseek-v4-flash"]}) as response:
        events = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]
    assert events[-1]["error"]["code"] == "upstream_error" and deepseek.requests == []
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert record["credits_micro"] == 1 * 800  # the one word delivered, at the model's price


def test_the_breaker_stops_calling_a_dead_provider_and_probes_it_later(gateway, admin, upstream, deepseek,
                                                                       policy) -> None:
    policy(TOLLWAY_BREAKER_THRESHOLD="3", TOLLWAY_BREAKER_COOLDOWN="1")
    key = admin.create_key(credits=5, rpm=120)
    body = ASK | {"fallbacks": ["deepseek-v4-flash"]}
    upstream.default = Behaviour(status=500)
    for _ in range(3):
        assert chat(gateway, key, body).headers["x-model-used"] == "deepseek-v4-flash"
    assert len(upstream.requests) == 3
    for _ in range(3):  # open: the dead provider is not even tried
        assert chat(gateway, key, body).headers["x-fallback-depth"] == "1"
    assert len(upstream.requests) == 3
    upstream.default = Behaviour()  # the provider recovers
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # after the cooldown one request probes and closes the circuit
        if chat(gateway, key, body).headers["x-model-used"] == "gpt-4o-mini":
            break
        time.sleep(0.1)
    assert len(upstream.requests) == 4
    assert chat(gateway, key, body).headers["x-model-used"] == "gpt-4o-mini"


def test_every_model_paused_by_the_breaker_is_a_503_with_retry_after(gateway, admin, upstream, policy) -> None:
    policy(TOLLWAY_BREAKER_THRESHOLD="1", TOLLWAY_BREAKER_COOLDOWN="30")
    key = admin.create_key(credits=1)
    upstream.script(Behaviour(status=500))
    assert chat(gateway, key, ASK).status_code == 502
    paused = chat(gateway, key, ASK)
    assert paused.status_code == 503 and paused.json()["error"]["code"] == "provider_unavailable"
    assert paused.headers["retry-after"] == "30" and len(upstream.requests) == 1
    assert admin.balance(key["id"]) == 1


def test_one_deadline_bounds_all_attempts(gateway, admin, upstream, deepseek, policy) -> None:
    policy(TOLLWAY_REQUEST_DEADLINE="1", TOLLWAY_RETRY_ATTEMPTS="3")
    key = admin.create_key(credits=1)
    upstream.default = Behaviour(delay_s=5)
    deepseek.default = Behaviour(delay_s=5)
    started = time.monotonic()
    response = chat(gateway, key, ASK | {"fallbacks": ["deepseek-v4-flash"]})
    assert response.status_code == 504 and time.monotonic() - started < 2.5
    assert admin.balance(key["id"]) == 1
