"""/v1/chat/completions with claude-* and gemini-* models: translated both ways against fake
Anthropic and Gemini servers that check requests the way the real APIs do."""

import base64
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import bearer
from tests.environment import changed_environment
from tests.fakes.openai_upstream import Behaviour as OpenAIBehaviour
from tests.fakes.scripted import Behaviour, Reply, TokenUsage, ToolCall

CLAUDE, GEMINI = "claude-sonnet-4-20250514", "gemini-2.5-flash"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32).decode()
WEATHER_TOOL = {"type": "function", "function": {"name": "weather", "description": "Weather for a city",
                                                 "parameters": {"type": "object",
                                                                "properties": {"city": {"type": "string"}}}}}


def chat(gateway, key: Any, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{gateway.url}/v1/chat/completions", json=body, headers=bearer(key), timeout=15)


def stream_chunks(gateway, key: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
    with httpx.stream("POST", f"{gateway.url}/v1/chat/completions", json=body | {"stream": True},
                      headers=bearer(key), timeout=15) as response:
        assert response.status_code == 200, response.read()
        return [json.loads(line[6:]) for line in response.iter_lines()
                if line.startswith("data: {")]


def test_claude_answers_in_openai_shape_and_is_charged_its_usage_with_cached_tokens(
        gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    anthropic_upstream.script(Behaviour(reply=Reply(usage=TokenUsage(input_tokens=10, cache_read=5, cache_write=3))))
    response = chat(gateway, key, {"model": CLAUDE, "messages": [
        {"role": "system", "content": "be brief"}, {"role": "developer", "content": "and kind"},
        {"role": "user", "content": "hello there claude"}], "stop": ["END"], "temperature": 1.4})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["choices"][0]["message"]["content"] == "hello there claude"
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["prompt_tokens"] == 18 and body["usage"]["prompt_tokens_details"]["cached_tokens"] == 5
    assert Decimal(response.headers["x-credits-used"]) == (18 + 3) * Decimal("0.006")
    sent = anthropic_upstream.requests[-1].body
    assert [b["text"] for b in sent["system"]] == ["be brief", "and kind"]  # both system prompts kept, in order
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hello there claude"}]}]
    assert sent["stop_sequences"] == ["END"] and sent["temperature"] == 1 and sent["max_tokens"] == 256
    (record,) = admin.usage(key["id"])
    assert (record["provider"], record["tokens_in"], record["tokens_out"]) == ("anthropic", 18, 3)


def test_claude_tool_calls_round_trip_with_ids_preserved(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    anthropic_upstream.script(Behaviour(reply=Reply(tool_calls=[ToolCall("weather", {"city": "Oslo"}, "toolu_01A"),
                                                                ToolCall("weather", {"city": "Rome"}, "toolu_01B")])))
    first = chat(gateway, key, {"model": CLAUDE, "tools": [WEATHER_TOOL], "tool_choice": "required",
                                "messages": [{"role": "user", "content": "weather in Oslo and Rome?"}]}).json()
    message = first["choices"][0]["message"]
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    assert [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"])) for c in message["tool_calls"]] \
        == [("toolu_01A", "weather", {"city": "Oslo"}), ("toolu_01B", "weather", {"city": "Rome"})]
    assert anthropic_upstream.requests[-1].body["tool_choice"] == {"type": "any"}
    followup = {"model": CLAUDE, "tools": [WEATHER_TOOL], "messages": [
        {"role": "user", "content": "weather in Oslo and Rome?"}, message,
        {"role": "tool", "tool_call_id": "toolu_01A", "content": "cold"},
        {"role": "tool", "tool_call_id": "toolu_01B", "content": "warm"}]}
    assert chat(gateway, key, followup).status_code == 200
    turns = anthropic_upstream.requests[-1].body["messages"]
    assert [b["id"] for b in turns[1]["content"] if b["type"] == "tool_use"] == ["toolu_01A", "toolu_01B"]
    assert [(b["tool_use_id"], b["content"]) for b in turns[2]["content"]] == [("toolu_01A", "cold"),
                                                                              ("toolu_01B", "warm")]


def test_claude_streams_tool_call_arguments_as_deltas(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    anthropic_upstream.script(Behaviour(argument_piece=4, reply=Reply(
        text="Checking", tool_calls=[ToolCall("weather", {"city": "Reykjavík"}, "toolu_9")])))
    chunks = stream_chunks(gateway, key, {"model": CLAUDE, "tools": [WEATHER_TOOL], "stream_options": {
        "include_usage": True}, "messages": [{"role": "user", "content": "weather?"}]})
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert "".join(d.get("content") or "" for d in deltas) == "Checking"
    calls = [call for d in deltas for call in d.get("tool_calls") or ()]
    assert calls[0]["id"] == "toolu_9" and calls[0]["function"]["name"] == "weather"
    assert len(calls) > 2  # the arguments arrived in pieces
    assert json.loads("".join(c["function"].get("arguments") or "" for c in calls)) == {"city": "Reykjavík"}
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "tool_calls"
    assert chunks[-1]["usage"]["completion_tokens"] > 0 and "cost" in chunks[-1]["usage"]


def test_claude_sees_images_from_data_uris_and_urls(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    response = chat(gateway, key, {"model": CLAUDE, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "what are these"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}]}]})
    assert response.status_code == 200, response.text
    blocks = anthropic_upstream.requests[-1].body["messages"][0]["content"]
    assert blocks[1] == {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}
    assert blocks[2] == {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}


def test_claude_json_schema_mode_answers_with_the_json_as_text(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    schema = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}
    request = {"model": CLAUDE, "messages": [{"role": "user", "content": "2+2?"}],
               "response_format": {"type": "json_schema", "json_schema": {"name": "result", "schema": schema}}}
    sent_tool: dict[str, Any] = {}

    for stream in (False, True):
        anthropic_upstream.script(Behaviour(reply=Reply(tool_calls=[ToolCall("result", {"answer": 4})])))
        if stream:
            text = "".join(c["choices"][0]["delta"].get("content") or "" for c in stream_chunks(gateway, key, request)
                           if c["choices"])
        else:
            text = chat(gateway, key, request).json()["choices"][0]["message"]["content"]
        assert json.loads(text) == {"answer": 4}
        sent_tool = anthropic_upstream.requests[-1].body
    assert sent_tool["tool_choice"] == {"type": "tool", "name": "result"}
    assert sent_tool["tools"][0]["input_schema"] == schema


def test_audio_to_a_model_without_audio_is_a_400_before_any_call(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    response = chat(gateway, key, {"model": CLAUDE, "messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]}]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "audio_not_supported_by_model"
    assert response.json()["error"]["param"] == "messages.0.content.0"
    assert anthropic_upstream.requests == [] and admin.usage(key["id"]) == []


def test_an_overloaded_claude_falls_back_to_gpt_with_translation(gateway, admin, anthropic_upstream, upstream) -> None:
    key = admin.create_key(credits=100)
    anthropic_upstream.script(Behaviour(status=529))
    response = chat(gateway, key, {"model": CLAUDE, "fallbacks": ["gpt-4o-mini"],
                                   "messages": [{"role": "user", "content": "one two"}]})
    assert response.status_code == 200
    assert (response.headers["x-model-used"], response.headers["x-fallback-from"]) == ("gpt-4o-mini", CLAUDE)
    assert upstream.requests[-1].body["model"] == "gpt-4o-mini"


@pytest.mark.parametrize("stream", [False, True])
def test_gemini_answers_in_openai_shape_with_tools(gateway, admin, gemini_upstream, stream: bool) -> None:
    key = admin.create_key(credits=100)
    gemini_upstream.script(Behaviour(reply=Reply(text="Let me look", tool_calls=[ToolCall("weather", {"city": "Lima"})])))
    body = {"model": GEMINI, "tools": [WEATHER_TOOL], "messages": [{"role": "system", "content": "be brief"},
                                                                   {"role": "user", "content": "weather in Lima?"}]}
    if stream:
        chunks = stream_chunks(gateway, key, body)
        deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
        text = "".join(d.get("content") or "" for d in deltas)
        calls = [call for d in deltas for call in d.get("tool_calls") or ()]
        finish = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1]
    else:
        answer = chat(gateway, key, body).json()
        text = answer["choices"][0]["message"]["content"]
        calls = answer["choices"][0]["message"]["tool_calls"]
        finish = answer["choices"][0]["finish_reason"]
    assert text == "Let me look" and finish == "tool_calls"
    assert calls[0]["function"]["name"] == "weather" and calls[0]["id"]
    sent = gemini_upstream.requests[-1]
    assert sent.path.endswith(":streamGenerateContent" if stream else ":generateContent")
    assert sent.body["systemInstruction"]["parts"][0]["text"] == "be brief"
    assert sent.body["tools"][0]["functionDeclarations"][0]["name"] == "weather"
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert record["provider"] == "gemini" and record["status"] == "ok" and record["credits_micro"] > 0


def test_a_bad_gemini_key_is_the_gateways_problem_not_the_clients(gateway, admin, gemini_upstream) -> None:
    with changed_environment(GEMINI_API_KEY="not-the-right-key"):
        key = admin.create_key(credits=100)
        response = chat(gateway, key, {"model": GEMINI, "messages": [{"role": "user", "content": "hi"}]})
    assert response.status_code == 502 and "credentials" in response.json()["error"]["message"]
    assert "not-the-right-key" not in response.text


def test_the_upstream_openai_fake_is_not_needed_for_claude(gateway, admin, upstream, anthropic_upstream) -> None:
    key = admin.create_key(credits=100)
    upstream.script(OpenAIBehaviour(status=500))  # would fail if anything went to OpenAI
    assert chat(gateway, key, {"model": CLAUDE, "messages": [{"role": "user", "content": "x"}]}).status_code == 200
    upstream.reset()
