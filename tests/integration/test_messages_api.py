"""POST /v1/messages: Anthropic's API for every model — Claude untouched, others translated —
with Anthropic-shaped streams and errors, and the gateway's charges and headers."""

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.fakes.openai_upstream import Behaviour as OpenAIBehaviour
from tests.fakes.scripted import Behaviour, Reply, TokenUsage, ToolCall

CLAUDE = "claude-sonnet-4-20250514"
TOOL = {"name": "weather", "description": "Weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


def headers(key: Any, **extra: str) -> dict[str, str]:
    return {"x-api-key": key["key"] if isinstance(key, dict) else key, "anthropic-version": "2023-06-01"} | extra


def post(gateway, key: Any, body: dict[str, Any], **extra: str) -> httpx.Response:
    return httpx.post(f"{gateway.url}/v1/messages", json=body, headers=headers(key, **extra), timeout=15)


def events(gateway, key: Any, body: dict[str, Any], **extra: str) -> tuple[httpx.Response, list[tuple[str, dict]]]:
    out: list[tuple[str, dict]] = []
    with httpx.stream("POST", f"{gateway.url}/v1/messages", json=body | {"stream": True},
                      headers=headers(key, **extra), timeout=15) as response:
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                out.append((name or "", json.loads(line[6:])))
    return response, out


def text_of(stream: list[tuple[str, dict]]) -> str:
    return "".join(d["delta"].get("text", "") for n, d in stream if n == "content_block_delta")


def test_claude_gets_the_request_untouched_and_the_answer_comes_back_as_is(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    anthropic_upstream.script(Behaviour(reply=Reply(usage=TokenUsage(input_tokens=12, cache_read=100))))
    body = {"model": CLAUDE, "max_tokens": 64, "top_k": 5, "metadata": {"user_id": "u1"},
            # Long enough that the reservation covers the 100 cached tokens the fake reports reading.
            "system": [{"type": "text", "text": "long prompt " * 100, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": "hello claude"}]}
    response = post(gateway, key, body, **{"anthropic-beta": "prompt-caching-2024-07-31"})
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["type"] == "message" and message["content"] == [{"type": "text", "text": "hello claude"}]
    assert message["usage"]["cache_read_input_tokens"] == 100
    sent = anthropic_upstream.requests[-1]
    assert sent.body == body | {"stream": False}  # nothing translated, cache_control and top_k kept
    assert sent.headers["anthropic-beta"] == "prompt-caching-2024-07-31"
    assert Decimal(response.headers["x-credits-used"]) == (12 + 100 + 2) * Decimal("0.006")
    assert response.headers["x-model-used"] == CLAUDE and response.headers["x-request-id"].startswith("req_")


def test_claude_streams_anthropics_own_event_sequence(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    anthropic_upstream.script(Behaviour(reply=Reply(text="sunny today", tool_calls=[ToolCall("weather", {"city": "Oslo"})])))
    response, stream = events(gateway, key, {"model": CLAUDE, "max_tokens": 64, "tools": [TOOL],
                                             "messages": [{"role": "user", "content": "weather?"}]})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    names = [n for n, _ in stream]
    assert names[:2] == ["message_start", "ping"] and names[-2:] == ["message_delta", "message_stop"]
    assert names.count("content_block_start") == names.count("content_block_stop") == 2
    assert text_of(stream) == "sunny today"
    partial = "".join(d["delta"].get("partial_json", "") for n, d in stream if n == "content_block_delta")
    assert json.loads(partial) == {"city": "Oslo"}
    assert stream[-2][1]["delta"]["stop_reason"] == "tool_use"
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert record["endpoint"] == "messages" and record["status"] == "ok" and record["tokens_out"] > 0


@pytest.mark.parametrize("stream", [False, True])
def test_a_gpt_model_answers_the_anthropic_api_through_translation(gateway, admin, upstream, stream: bool) -> None:
    key = admin.create_key(credits=10)
    upstream.script(OpenAIBehaviour(reply=Reply(text="Sure", tool_calls=[ToolCall("weather", {"city": "Rome"}, "call_7")])))
    body = {"model": "gpt-4o-mini", "max_tokens": 50, "system": "be brief", "tools": [TOOL],
            "tool_choice": {"type": "any"}, "stop_sequences": ["END"],
            "messages": [{"role": "user", "content": [{"type": "text", "text": "weather in Rome?"}]}]}
    if stream:
        response, stream_events = events(gateway, key, body)
        names = [n for n, _ in stream_events]
        assert names[0] == "message_start" and names[-1] == "message_stop"
        assert text_of(stream_events) == "Sure"
        starts = [d["content_block"] for n, d in stream_events if n == "content_block_start"]
        assert starts[1]["type"] == "tool_use" and starts[1]["id"] == "call_7" and starts[1]["name"] == "weather"
        stop = [d for n, d in stream_events if n == "message_delta"][0]["delta"]["stop_reason"]
    else:
        response = post(gateway, key, body)
        message = response.json()
        assert message["content"][0] == {"type": "text", "text": "Sure"}
        assert message["content"][1] | {"input": None} == {"type": "tool_use", "id": "call_7", "name": "weather",
                                                           "input": None}
        assert message["content"][1]["input"] == {"city": "Rome"}
        stop = message["stop_reason"]
    assert stop == "tool_use" and response.headers["x-model-used"] == "gpt-4o-mini"
    sent = upstream.requests[-1].body
    assert sent["messages"][0] == {"role": "system", "content": "be brief"}
    assert sent["tool_choice"] == "required" and sent["stop"] == ["END"] and sent["max_completion_tokens"] == 50
    assert sent["tools"][0]["function"]["parameters"] == TOOL["input_schema"]


def test_tool_results_from_an_anthropic_client_reach_gpt_as_tool_messages(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    body = {"model": "gpt-4o-mini", "max_tokens": 20, "tools": [TOOL], "messages": [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "weather",
                                           "input": {"city": "Oslo"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "cold"},
                                     {"type": "text", "text": "and so?"}]}]}
    assert post(gateway, key, body).status_code == 200
    sent = upstream.requests[-1].body["messages"]
    assert sent[1]["tool_calls"][0]["id"] == "toolu_1"
    assert json.loads(sent[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Oslo"}
    assert sent[2] == {"role": "tool", "tool_call_id": "toolu_1", "content": "cold"}
    assert sent[3]["role"] == "user"


@pytest.mark.parametrize(
    ("body", "status", "error_type"),
    [({"model": CLAUDE, "messages": [{"role": "user", "content": "x"}]}, 400, "invalid_request_error"),  # no max_tokens
     ({"model": "no-such-model", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}, 404, "not_found_error"),
     ({"model": CLAUDE, "max_tokens": 5, "temperature": 1.5, "messages": [{"role": "user", "content": "x"}]}, 400,
      "invalid_request_error")],
)
def test_errors_are_anthropic_shaped(gateway, admin, body: dict[str, Any], status: int, error_type: str) -> None:
    key = admin.create_key(credits=100)
    response = post(gateway, key, body)
    assert response.status_code == status, response.text
    error = response.json()
    assert error["type"] == "error" and error["error"]["type"] == error_type and error["error"]["message"]


def test_auth_and_billing_errors_are_anthropic_shaped(gateway, admin) -> None:
    body = {"model": CLAUDE, "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
    missing = httpx.post(f"{gateway.url}/v1/messages", json=body)
    assert missing.status_code == 401 and missing.json()["error"]["type"] == "authentication_error"
    poor = admin.create_key(credits="0.01")
    unpaid = post(gateway, poor, body)
    assert unpaid.status_code == 402 and unpaid.json() == {"type": "error", "error": {
        "type": "billing_error", "message": unpaid.json()["error"]["message"]}}
    bearer = httpx.post(f"{gateway.url}/v1/messages", json=body,
                        headers={"authorization": f"Bearer {admin.create_key(credits=100)['key']}"})
    assert bearer.status_code == 200


def test_count_tokens_asks_claude_and_estimates_for_others(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=1)
    body = {"model": CLAUDE, "messages": [{"role": "user", "content": "count these words please"}]}
    claude = httpx.post(f"{gateway.url}/v1/messages/count_tokens", json=body, headers=headers(key))
    assert claude.status_code == 200 and claude.json()["input_tokens"] > 0
    assert anthropic_upstream.requests[-1].path == "/v1/messages/count_tokens"
    gpt = httpx.post(f"{gateway.url}/v1/messages/count_tokens", json=body | {"model": "gpt-4o"}, headers=headers(key))
    assert gpt.status_code == 200 and 5 < gpt.json()["input_tokens"] < 40
    assert admin.usage(key["id"]) == []  # free


def test_an_overloaded_claude_falls_back_to_gpt_mid_protocol(gateway, admin, anthropic_upstream, upstream) -> None:
    key = admin.create_key(credits=100)
    anthropic_upstream.script(Behaviour(status=529))
    response, stream = events(gateway, key, {"model": CLAUDE, "max_tokens": 30, "fallbacks": ["gpt-4o-mini"],
                                             "messages": [{"role": "user", "content": "alpha beta"}]})
    assert response.headers["x-model-used"] == "gpt-4o-mini" and response.headers["x-fallback-from"] == CLAUDE
    assert text_of(stream) == "alpha beta" and stream[-1][0] == "message_stop"
    assert "fallbacks" not in upstream.requests[-1].body


def test_a_stream_broken_after_its_first_byte_ends_with_an_error_event(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    anthropic_upstream.script(Behaviour(error_after_chunks=2))
    _, stream = events(gateway, key, {"model": CLAUDE, "max_tokens": 30,
                                      "messages": [{"role": "user", "content": "one two three four"}]})
    assert stream[-1][0] == "error" and stream[-1][1]["type"] == "error"
    delivered = text_of(stream)
    tokens = max(2, -(-len(delivered.encode()) // 3))  # counted from the text, at least one a delta
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert record["status"] == "upstream_error" and record["tokens_out"] == tokens
    assert record["credits_micro"] == tokens * 6000
