"""POST /v1/responses against the running gateway: the same charge rules as chat (a finished answer
pays the reported usage, a client leaving early pays its whole prompt, an upstream breaking pays only
what it delivered), and bad input refused before anything is reserved. The SDK's view is in
tests/contract/test_openai_sdk_responses.py."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from tollway.catalog import resolve
from tollway.ledger.money import to_micro
from tollway.wire.generated_text import GeneratedText
from tollway.wire.token_estimate import estimate_prompt_tokens

from tests.conftest import bearer
from tests.fakes.scripted import Behaviour, Reply, TokenUsage
from tests.ledger_books import assert_conserved, books

CLAUDE, OPENAI_MODEL = "claude-sonnet-4-20250514", "gpt-4o-mini"
LONG_PROMPT = " ".join(f"w{i % 997}" for i in range(20_000))


def price(model: str, prompt: int, completion: int) -> int:
    spec = resolve(model)
    assert spec is not None
    return spec.cost(prompt, completion)


def events(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")]


@pytest.mark.parametrize("stream", [False, True])
def test_a_response_costs_exactly_what_the_same_chat_completion_costs(gateway, admin, anthropic_upstream,
                                                                       stream: bool) -> None:
    key = admin.create_key(credits=10)
    prompt = "the same four words"
    chat = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key), timeout=30, json={
        "model": CLAUDE, "stream": stream, "max_tokens": 100, "messages": [{"role": "user", "content": prompt}]})
    response = httpx.post(f"{gateway.url}/v1/responses", headers=bearer(key), timeout=30, json={
        "model": CLAUDE, "stream": stream, "max_output_tokens": 100, "input": prompt})
    assert chat.status_code == response.status_code == 200, response.text
    assert chat.headers["x-credits-reserved" if stream else "x-credits-used"] == \
        response.headers["x-credits-reserved" if stream else "x-credits-used"]
    chat_record, response_record = admin.wait_for_usage(key["id"], 2)
    assert response_record["endpoint"] == "responses" and chat_record["endpoint"] == "chat.completions"
    assert response_record["credits_micro"] == chat_record["credits_micro"] == price(CLAUDE, 10, 4)
    assert_conserved(key["id"], to_micro(10))


def leave_early(url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    with httpx.stream("POST", url, json=body | {"stream": True}, headers=headers, timeout=30) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if line.startswith("data: ") and json.loads(line[6:]).get("type") == "response.output_text.delta":
                return  # the connection closes with the context


@pytest.mark.parametrize("model", [CLAUDE, OPENAI_MODEL])
def test_leaving_a_response_stream_early_still_pays_the_whole_prompt(gateway, admin, upstream, anthropic_upstream,
                                                                     model: str) -> None:
    key = admin.create_key(credits=1000)
    fake = anthropic_upstream if model == CLAUDE else upstream
    fake.script(Behaviour(chunk_delay_s=0.3, reply=Reply(usage=TokenUsage(input_tokens=19_000))))
    leave_early(f"{gateway.url}/v1/responses", {"model": model, "max_output_tokens": 40, "input": LONG_PROMPT},
                bearer(key))
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert record["status"] == "client_disconnected"
    # Claude reports its prompt at message_start; OpenAI only at the end, so the gateway's estimate pays.
    expected_in = 19_000 if model == CLAUDE else estimate_prompt_tokens([{"role": "user", "content": LONG_PROMPT}])
    assert record["tokens_in"] == expected_in > 10_000
    assert 1 <= record["tokens_out"] < 40
    assert record["credits_micro"] == price(model, record["tokens_in"], record["tokens_out"])
    assert_conserved(key["id"], to_micro(1000))


@pytest.mark.parametrize("model", [CLAUDE, OPENAI_MODEL])
def test_an_upstream_breaking_mid_stream_ends_with_an_error_event_and_pays_only_what_arrived(
        gateway, admin, upstream, anthropic_upstream, model: str) -> None:
    key = admin.create_key(credits=10)
    (anthropic_upstream if model == CLAUDE else upstream).script(Behaviour(error_after_chunks=2))
    with httpx.stream("POST", f"{gateway.url}/v1/responses", headers=bearer(key), timeout=30,
                      json={"model": model, "stream": True, "input": "one two three four five"}) as response:
        got = events(response)
    assert [e["delta"] for e in got if e["type"] == "response.output_text.delta"] == ["one", " two"]
    assert got[-1]["type"] == "error" and got[-1]["code"] == "upstream_error"
    assert got[-1]["sequence_number"] == got[-2]["sequence_number"] + 1
    (record,) = admin.wait_for_usage(key["id"], 1)
    delivered = GeneratedText()
    delivered.add("one"), delivered.add(" two")
    assert record["tokens_in"] == 0 and record["tokens_out"] == delivered.tokens()
    assert record["credits_micro"] == price(model, 0, delivered.tokens())
    assert_conserved(key["id"], to_micro(10))


@pytest.mark.parametrize("body, param, code", [
    ({"model": CLAUDE}, "input", "missing_required_parameter"),
    ({"model": CLAUDE, "input": []}, "input", "invalid_value"),
    ({"model": CLAUDE, "input": "hi", "temperature": -0.1}, "temperature", "invalid_value"),
    ({"model": CLAUDE, "input": "hi", "max_output_tokens": 9000}, "max_output_tokens", "invalid_value"),
    ({"model": CLAUDE, "input": "hi", "quality": "best"}, "quality", "invalid_value"),
    ({"model": CLAUDE, "input": "hi", "previous_response_id": "resp_1"}, "previous_response_id",
     "unsupported_parameter"),
    # Stored responses would be shared by every key of the operator's OpenAI account.
    ({"model": OPENAI_MODEL, "input": "hi", "previous_response_id": "resp_1"}, "previous_response_id",
     "unsupported_parameter"),
    ({"model": OPENAI_MODEL, "input": "hi", "store": True}, "store", "unsupported_parameter"),
    ({"model": OPENAI_MODEL, "input": "hi", "tools": [{"type": "web_search"}]}, "tools.0.type", "unpriced_parameter"),
    ({"model": OPENAI_MODEL, "input": "hi", "background": True}, "background", "unsupported_parameter"),
    ({"model": CLAUDE, "input": [{"role": "robot", "content": "hi"}]}, "input.0.role", "invalid_value"),
    ({"model": CLAUDE, "input": [{"role": "user", "content": [{"type": "input_image"}]}]},
     "input.0.content.0.image_url", "invalid_value"),
    # Images for a model that cannot see go to a vision model unless the request turns fallbacks off.
    ({"model": "deepseek-v4-flash", "fallbacks": [], "input": [{"role": "user", "content": [
        {"type": "input_image", "image_url": "https://example.com/a.png"}]}]}, "input",
     "vision_not_supported_by_model"),
    ({"model": CLAUDE, "input": "hi", "text": {"format": {"type": "json_schema", "name": "x"}}},
     "text.format.schema", "invalid_value"),
])
def test_bad_input_is_a_400_naming_the_field_with_nothing_reserved(gateway, admin, anthropic_upstream,
                                                                   body, param, code) -> None:
    key = admin.create_key(credits=1)
    response = httpx.post(f"{gateway.url}/v1/responses", headers=bearer(key), json=body, timeout=30)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (param, code), error
    assert anthropic_upstream.requests == []
    assert books(key["id"]).holds == 0 and admin.balance(key["id"]) == 1


def test_an_unknown_model_is_a_404(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    response = httpx.post(f"{gateway.url}/v1/responses", headers=bearer(key), json={"model": "nope-1", "input": "hi"})
    assert response.status_code == 404 and response.json()["error"]["param"] == "model"
