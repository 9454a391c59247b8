"""Nothing is lost when the upstream or the client fails: a failure before the answer is refunded in
full, a broken stream pays only what it delivered, a client that leaves pays for what the upstream
had processed, and every request leaves a usage record saying how it ended."""

import json
import threading
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import bearer
from tests.fakes.openai_upstream import Behaviour
from tollway.wire.token_estimate import estimate_prompt_tokens

PRICE = Decimal("0.0008")  # gpt-4o-mini, per token
ASK = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "one two three four five six"}]}


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(
    ("behaviour", "status", "code"),
    [(Behaviour(status=500), 502, "upstream_error"), (Behaviour(status=503), 502, "upstream_error"),
     (Behaviour(delay_s=3), 504, "upstream_timeout"),  # TOLLWAY_UPSTREAM_TIMEOUT is 2 s in tests
     (Behaviour(status=429, retry_after="7"), 429, "upstream_rate_limited"),
     (Behaviour(status=401), 502, "upstream_error")],
    ids=["500", "503", "timeout", "429", "bad-upstream-credentials"],
)
def test_an_upstream_failure_before_any_output_costs_nothing(gateway, admin, upstream, behaviour, status, code,
                                                             streaming: bool) -> None:
    key = admin.create_key(credits=1)
    upstream.script(behaviour)
    response = httpx.post(f"{gateway.url}/v1/chat/completions", json=ASK | {"stream": streaming},
                          headers=bearer(key), timeout=10)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.headers["x-credits-used"] == "0" and response.headers["x-model-used"] == "gpt-4o-mini"
    assert "sk-upstream-secret" not in response.text
    assert admin.balance(key["id"]) == 1
    (record,) = admin.usage(key["id"])
    assert (record["status"], record["http_status"], record["error_code"]) == ("upstream_error", status, code)
    assert record["credits_micro"] == 0 and record["reserved_micro"] > 0


def read_stream(response: httpx.Response) -> tuple[str, list[dict[str, Any]]]:
    text, events = "", []
    for line in response.iter_lines():
        if line.startswith("data: ") and line != "data: [DONE]":
            event = json.loads(line[6:])
            events.append(event)
            if event.get("choices"):
                text += event["choices"][0]["delta"].get("content") or ""
    return text, events


@pytest.mark.parametrize(("behaviour", "code", "delivered"),
                         [(Behaviour(fail_after_chunks=2), "upstream_error", "one two"),
                          (Behaviour(chunk_delay_s=3), "upstream_timeout", "one")],  # stalls after the first word
                         ids=["connection-reset", "stalled"])
def test_a_stream_broken_midway_charges_only_what_was_delivered(gateway, admin, upstream, behaviour, code,
                                                                delivered: str) -> None:
    key = admin.create_key(credits=1)
    upstream.script(behaviour)
    with httpx.stream("POST", f"{gateway.url}/v1/chat/completions", json=ASK | {"stream": True},
                      headers=bearer(key), timeout=10) as response:
        assert response.status_code == 200
        text, events = read_stream(response)
    assert text == delivered
    assert events[-1]["error"]["code"] == code
    tokens = text_tokens(delivered.split(" "))
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert (record["status"], record["tokens_in"], record["tokens_out"]) == ("upstream_error", 0, tokens)
    assert record["credits_micro"] == tokens * 800
    assert admin.balance(key["id"]) == 1 - tokens * PRICE


def text_tokens(words: list[str]) -> int:
    """How the gateway counts generated text: three bytes a token, and at least one a piece."""
    text = " ".join(words)
    return max(len(words), -(-len(text.encode()) // 3))


def test_a_client_leaving_mid_stream_pays_its_prompt_and_what_was_generated(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=1)
    upstream.script(Behaviour(chunk_delay_s=0.3))
    messages = [{"role": "user", "content": " ".join(["word"] * 20)}]
    with httpx.stream("POST", f"{gateway.url}/v1/chat/completions", json=ASK | {"stream": True, "messages": messages},
                      headers=bearer(key), timeout=10) as r:
        contents = 0
        for line in r.iter_lines():
            if line.startswith("data: {") and json.loads(line[6:])["choices"][0]["delta"].get("content"):
                contents += 1
            if contents == 2:
                break  # leaving: the connection closes with the context
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert record["status"] == "client_disconnected" and record["http_status"] == 499
    # OpenAI reports no usage before the end: the prompt is the gateway's estimate.
    assert record["tokens_in"] == estimate_prompt_tokens(messages)
    assert text_tokens(["word"] * 2) <= record["tokens_out"] < text_tokens(["word"] * 20)
    assert record["credits_micro"] == (record["tokens_in"] + record["tokens_out"]) * 800
    assert admin.balance(key["id"]) == 1 - (record["tokens_in"] + record["tokens_out"]) * PRICE
    # The gateway stopped reading the upstream instead of draining the whole answer.
    assert len(upstream.chunks_sent_at) < 20


def test_a_client_leaving_before_the_answer_is_refunded_in_full(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=1)
    release = threading.Event()
    upstream.script(Behaviour(hold=release))
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{gateway.url}/v1/chat/completions", json=ASK, headers=bearer(key), timeout=0.5)
    (record,) = admin.wait_for_usage(key["id"], 1)
    release.set()
    assert (record["status"], record["http_status"], record["credits_micro"]) == ("client_disconnected", 499, 0)
    assert admin.balance(key["id"]) == 1
