"""Fallback chains through the real SDKs: a failing model hands over to the next one (even across
wire formats), the response headers say so, the key pays the model that answered, and the circuit
breaker stops calling a provider that keeps failing — against a `tollway serve` of its own, with a
breaker that opens after 2 failures and probes again after 1 s."""

import time
from collections.abc import Iterator
from decimal import Decimal

import anthropic
import pytest
from openai import OpenAI

from tests.fakes.anthropic_upstream import FakeAnthropic
from tests.fakes.openai_upstream import PROMPT_TOKENS, FakeOpenAI
from tests.fakes.scripted import Behaviour
from tests.served import ServedGateway

CLAUDE = "claude-sonnet-4-20250514"
ASK = [{"role": "user", "content": "three little words"}]


@pytest.fixture(scope="module")
def breaker_gateway(upstream: FakeOpenAI, anthropic_upstream: FakeAnthropic) -> Iterator[ServedGateway]:
    env = {"OPENAI_API_KEY": "sk-upstream-secret-never-shown", "OPENAI_BASE_URL": upstream.base_url,
           "ANTHROPIC_API_KEY": anthropic_upstream.api_key, "ANTHROPIC_BASE_URL": anthropic_upstream.url,
           "TOLLWAY_ADMIN_KEY": "tw-admin-fallbacks", "TOLLWAY_RETRY_ATTEMPTS": "1",
           "TOLLWAY_DEFAULT_FALLBACKS": "{}", "TOLLWAY_BREAKER_THRESHOLD": "2", "TOLLWAY_BREAKER_COOLDOWN": "1"}
    with ServedGateway(env=env) as served:
        yield served


def test_the_openai_sdk_gets_the_fallbacks_answer_and_pays_its_price(breaker_gateway, upstream,
                                                                     anthropic_upstream) -> None:
    key = breaker_gateway.create_key(credits=100)
    anthropic_upstream.script(Behaviour(status=529))
    raw = OpenAI(base_url=breaker_gateway.url + "/v1", api_key=key["key"], max_retries=0).chat.completions \
        .with_raw_response.create(model=CLAUDE, messages=ASK, extra_body={"fallbacks": ["gpt-4o-mini"]})
    completion = raw.parse()
    assert completion.choices[0].message.content == "three little words"
    assert (raw.headers["x-model-used"], raw.headers["x-fallback-from"], raw.headers["x-fallback-depth"]) == (
        "gpt-4o-mini", CLAUDE, "1")
    charged = (PROMPT_TOKENS + 3) * Decimal("0.0008")  # gpt-4o-mini's price, not Claude's
    assert Decimal(raw.headers["x-credits-used"]) == charged
    assert breaker_gateway.balance(key["id"]) == 100 - charged


def test_the_anthropic_sdk_streams_from_the_fallback(breaker_gateway, upstream, anthropic_upstream) -> None:
    key = breaker_gateway.create_key(credits=100)
    anthropic_upstream.script(Behaviour(status=529))
    client = anthropic.Anthropic(base_url=breaker_gateway.url, api_key=key["key"], max_retries=0)
    with client.messages.with_streaming_response.create(model=CLAUDE, max_tokens=50, messages=ASK, stream=True,
                                                        extra_body={"models": [CLAUDE, "gpt-4o-mini"]}) as response:
        assert response.headers["x-model-used"] == "gpt-4o-mini" and response.headers["x-fallback-from"] == CLAUDE
        body = response.read().decode()
    assert "event: message_start" in body and "event: message_stop" in body and "little" in body


def test_the_breaker_skips_a_dead_provider_then_probes_it(breaker_gateway, upstream, anthropic_upstream) -> None:
    key = breaker_gateway.create_key(credits=100, rpm=120)
    sdk = OpenAI(base_url=breaker_gateway.url + "/v1", api_key=key["key"], max_retries=0)

    def ask() -> str:
        raw = sdk.chat.completions.with_raw_response.create(model=CLAUDE, messages=ASK,
                                                            extra_body={"fallbacks": ["gpt-4o-mini"]})
        return raw.headers["x-model-used"]

    anthropic_upstream.default = Behaviour(status=529)
    try:
        assert [ask(), ask()] == ["gpt-4o-mini", "gpt-4o-mini"]
        tried = len(anthropic_upstream.requests)
        assert ask() == "gpt-4o-mini" and len(anthropic_upstream.requests) == tried  # open: not even tried
        anthropic_upstream.default = Behaviour()  # Claude recovers
        deadline = time.monotonic() + 5
        while ask() != CLAUDE:  # after the cooldown one request probes and closes the circuit
            assert time.monotonic() < deadline, "the breaker never probed the provider again"
            time.sleep(0.2)
        assert ask() == CLAUDE
    finally:
        anthropic_upstream.default = Behaviour()
