"""Streaming chat: OpenAI's SSE framing, usage only when asked, the exact charge from the final usage."""

import json
from decimal import Decimal
from typing import Any

import httpx

from tests.conftest import bearer
from tests.fakes.openai_upstream import PROMPT_TOKENS

PRICE = Decimal("0.0008")  # gpt-4o-mini


def stream(gateway, key: Any, body: dict[str, Any]) -> tuple[httpx.Response, list[str]]:
    with httpx.stream("POST", f"{gateway.url}/v1/chat/completions", json=body, headers=bearer(key), timeout=10) as r:
        return r, [line for line in r.iter_lines() if line]


def test_a_stream_is_openai_sse_ending_in_done_and_charged_from_usage(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=1)
    body = {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "alpha beta gamma"}]}
    response, lines = stream(gateway, key, body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-model-used"] == "gpt-4o-mini" and response.headers["x-request-id"].startswith("req_")
    assert Decimal(response.headers["x-credits-reserved"]) > 0
    assert all(line.startswith("data: ") for line in lines) and lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["choices"] for c in chunks)  # no usage chunk: not asked
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text == "alpha beta gamma"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    # The gateway asked the upstream for usage anyway, so the charge is exact.
    assert upstream.requests[-1].body["stream_options"] == {"include_usage": True}
    records = admin.wait_for_usage(key["id"], 1)
    assert records[0]["status"] == "ok" and records[0]["stream"] is True
    assert (records[0]["tokens_in"], records[0]["tokens_out"]) == (PROMPT_TOKENS, 3)
    assert admin.balance(key["id"]) == 1 - (PROMPT_TOKENS + 3) * PRICE


def test_include_usage_adds_the_usage_chunk_with_its_cost(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=1)
    body = {"model": "gpt-4o-mini", "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": "one two"}]}
    _, lines = stream(gateway, key, body)
    last = json.loads(lines[-2][6:])
    assert last["choices"] == []
    assert last["usage"]["prompt_tokens"] == PROMPT_TOKENS and last["usage"]["completion_tokens"] == 2
    assert Decimal(str(last["usage"]["cost"])) == (PROMPT_TOKENS + 2) * PRICE


def test_the_offline_echo_model_streams_word_by_word(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    body = {"model": "local/echo", "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": "say these four words"}]}
    _, lines = stream(gateway, key, body)
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    contents = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"]]
    assert contents == ["", "say", " these", " four", " words", None]
    assert chunks[-1]["usage"]["completion_tokens"] == 4
