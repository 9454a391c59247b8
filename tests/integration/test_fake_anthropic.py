"""The fake Anthropic upstream speaks the real Messages wire format: the real anthropic SDK reads
it, and it refuses what the real API refuses, with Anthropic-shaped errors."""

from __future__ import annotations

import json
import re
from typing import Any

import anthropic
import httpx
import pytest

from tests.fakes.anthropic_upstream import API_KEY, SIGNATURE, Behaviour, FakeAnthropic, Reply, TokenUsage, ToolCall
from tests.unit.stream_oracles import sse_events

HEADERS = {"x-api-key": API_KEY, "anthropic-version": "2023-06-01"}


@pytest.fixture()
def client(anthropic_upstream: FakeAnthropic) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=API_KEY, base_url=anthropic_upstream.url, max_retries=0, timeout=10)


def post(anthropic_upstream: FakeAnthropic, body: dict[str, Any], headers: dict[str, str] = HEADERS) -> httpx.Response:
    return httpx.post(f"{anthropic_upstream.url}/v1/messages", headers=headers, json=body, timeout=10)


def test_sdk_reads_the_echo_reply_and_the_request_is_logged(anthropic_upstream: FakeAnthropic,
                                                            client: anthropic.Anthropic) -> None:
    message = client.messages.create(model="claude-x", max_tokens=50, messages=[{"role": "user", "content": "one two"}])
    assert [b.model_dump(exclude_none=True) for b in message.content] == [{"type": "text", "text": "one two"}]
    assert (message.stop_reason, message.usage.input_tokens, message.usage.output_tokens) == ("end_turn", 10, 2)
    sent = anthropic_upstream.requests[-1]
    assert sent.headers["authorization"] == f"Bearer {API_KEY}" and sent.body["max_tokens"] == 50


def test_sdk_stream_accumulates_the_scripted_reply(anthropic_upstream: FakeAnthropic,
                                                   client: anthropic.Anthropic) -> None:
    anthropic_upstream.script(Behaviour(reply=Reply(thinking="let me see", text="Checking ünïcode",
                                      tool_calls=[ToolCall("weather", {"city": "Zürich"}, "toolu_1"),
                                                  ToolCall("time", {}, "toolu_2")],
                                      usage=TokenUsage(input_tokens=4, cache_read=100, cache_write=20)),
                          argument_piece=3))
    with client.messages.stream(model="claude-x", max_tokens=50, messages=[{"role": "user", "content": "go"}],
                                tools=[{"name": "weather", "input_schema": {"type": "object"}},
                                       {"name": "time", "input_schema": {"type": "object"}}]) as stream:
        final = stream.get_final_message()
    assert [b.model_dump(exclude_none=True) for b in final.content] == [
        {"type": "thinking", "thinking": "let me see", "signature": SIGNATURE},
        {"type": "text", "text": "Checking ünïcode"},
        {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Zürich"}},
        {"type": "tool_use", "id": "toolu_2", "name": "time", "input": {}}]
    assert final.stop_reason == "tool_use"
    assert (final.usage.input_tokens, final.usage.cache_read_input_tokens,
            final.usage.cache_creation_input_tokens) == (4, 100, 20)


def test_stream_sends_the_real_event_sequence(anthropic_upstream: FakeAnthropic) -> None:
    anthropic_upstream.script(Behaviour(reply=Reply(text="hi there", tool_calls=[ToolCall("time", {"tz": "UTC"})])))
    response = post(anthropic_upstream, {"model": "claude-x", "max_tokens": 50, "stream": True,
                           "messages": [{"role": "user", "content": "go"}]})
    assert response.headers["content-type"].startswith("text/event-stream")
    names = [e.event for e in sse_events(response.content, 100_000)]
    assert names == ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta",
                     "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
                     "content_block_delta", "content_block_stop", "message_delta", "message_stop"]


def test_stream_written_in_tiny_pieces_still_reads_the_same(anthropic_upstream: FakeAnthropic) -> None:
    body = {"model": "claude-x", "max_tokens": 50, "stream": True,
            "messages": [{"role": "user", "content": "日本 🙂"}]}
    whole = post(anthropic_upstream, body).content
    anthropic_upstream.script(Behaviour(byte_chunk_size=1))
    with httpx.stream("POST", f"{anthropic_upstream.url}/v1/messages", headers=HEADERS, json=body,
                      timeout=10) as response:
        pieces = list(response.iter_raw())
    assert re.sub(rb"msg_fake\d+", b"msg", b"".join(pieces)) == re.sub(rb"msg_fake\d+", b"msg", whole)
    assert len(pieces) > 100


def test_mid_stream_error_event_and_dropped_connection(anthropic_upstream: FakeAnthropic) -> None:
    body = {"model": "claude-x", "max_tokens": 50, "stream": True, "messages": [{"role": "user", "content": "a b c"}]}
    anthropic_upstream.script(Behaviour(error_after_chunks=1))
    events = sse_events(post(anthropic_upstream, body).content, 100_000)
    assert (events[-1].event, events[-1].json()) == ("error", {"type": "error", "error": {
        "type": "overloaded_error", "message": "Overloaded"}})
    anthropic_upstream.script(Behaviour(fail_after_chunks=1))
    with pytest.raises(httpx.HTTPError):
        post(anthropic_upstream, body)


@pytest.mark.parametrize(("status", "error_type", "sdk_error"), [
    (429, "rate_limit_error", anthropic.RateLimitError), (500, "api_error", anthropic.InternalServerError),
    (529, "overloaded_error", anthropic.APIStatusError)])
def test_scripted_failures_are_anthropic_shaped(anthropic_upstream: FakeAnthropic, client: anthropic.Anthropic,
                                                status: int,
                                                error_type: str, sdk_error: type[Exception]) -> None:
    anthropic_upstream.script(Behaviour(status=status, retry_after="3"))
    with pytest.raises(sdk_error) as failed:
        client.messages.create(model="claude-x", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert failed.value.status_code == status  # type: ignore[attr-defined]
    assert failed.value.body["error"]["type"] == error_type  # type: ignore[attr-defined]
    assert failed.value.response.headers["retry-after"] == "3"  # type: ignore[attr-defined]


def test_wrong_key_is_an_authentication_error(anthropic_upstream: FakeAnthropic) -> None:
    client = anthropic.Anthropic(api_key="sk-ant-wrong", base_url=anthropic_upstream.url, max_retries=0, timeout=10)
    with pytest.raises(anthropic.AuthenticationError):
        client.messages.create(model="claude-x", max_tokens=5, messages=[{"role": "user", "content": "x"}])


USER = {"role": "user", "content": "hi"}
CALL = {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}]}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}
REFUSED = [
    ("no anthropic-version", {"model": "m", "max_tokens": 5, "messages": [USER]}, {"x-api-key": API_KEY},
     "anthropic-version: header is required"),
    ("no max_tokens", {"model": "m", "messages": [USER]}, HEADERS, "max_tokens: Field required"),
    ("an OpenAI parameter", {"model": "m", "max_tokens": 5, "messages": [USER], "n": 1}, HEADERS,
     "n: Extra inputs are not permitted"),
    ("first message from the assistant", {"model": "m", "max_tokens": 5, "messages": [
        {"role": "assistant", "content": "a"}, USER]}, HEADERS, 'first message must use the "user" role'),
    ("a system role message", {"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "s"}, USER]},
     HEADERS, "messages.0.role"),
    ("tool_use without a result", {"model": "m", "max_tokens": 5, "messages": [USER, CALL, USER]}, HEADERS,
     "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1"),
    ("a result for an unknown call", {"model": "m", "max_tokens": 5, "messages": [
        USER, CALL, {"role": "user", "content": [RESULT, {**RESULT, "tool_use_id": "toolu_9"}]}]}, HEADERS,
     "unexpected `tool_use_id` found in `tool_result` blocks: toolu_9"),
    ("text before the tool results", {"model": "m", "max_tokens": 5, "messages": [
        USER, CALL, {"role": "user", "content": [{"type": "text", "text": "x"}, RESULT]}]}, HEADERS,
     "tool_result blocks must come first"),
    ("image data that is not base64", {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "@@"}}]}]}, HEADERS,
     "not valid base64"),
    ("empty text", {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": ""}]}, HEADERS,
     "text content blocks must be non-empty"),
    ("temperature above 1", {"model": "m", "max_tokens": 5, "messages": [USER], "temperature": 1.5}, HEADERS,
     "temperature"),
    ("forced tool with thinking", {"model": "m", "max_tokens": 5, "messages": [USER], "thinking": {"type": "enabled"},
                                   "tools": [{"name": "f", "input_schema": {"type": "object"}}],
                                   "tool_choice": {"type": "any"}}, HEADERS, "Thinking may not be enabled"),
]


@pytest.mark.parametrize(("body", "headers", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_fake_refuses_what_the_real_api_refuses(anthropic_upstream: FakeAnthropic, body: dict[str, Any],
                                                headers: dict[str, str],
                                                message: str) -> None:
    response = post(anthropic_upstream, body, headers)
    assert response.status_code == 400
    error = response.json()
    assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
    assert message in error["error"]["message"], json.dumps(error)


def test_a_complete_tool_loop_is_accepted(anthropic_upstream: FakeAnthropic) -> None:
    body = {"model": "m", "max_tokens": 5, "messages": [USER, CALL, {"role": "user", "content": [RESULT]}]}
    assert post(anthropic_upstream, body).status_code == 200
