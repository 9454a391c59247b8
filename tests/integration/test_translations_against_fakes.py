"""Translated requests pass the fake upstreams' real-API checks over HTTP, and their real-format
replies (JSON and SSE read from the socket) translate back into what the client's SDK accepts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from anthropic.types import Message
from openai.types.chat import ChatCompletion

from tests.fakes.anthropic_upstream import API_KEY as ANTHROPIC_KEY
from tests.fakes.anthropic_upstream import FakeAnthropic
from tests.fakes.gemini_upstream import API_KEY as GEMINI_KEY
from tests.fakes.gemini_upstream import FakeGemini
from tests.fakes.openai_upstream import FakeOpenAI
from tests.fakes.scripted import Behaviour, Reply, ToolCall
from tests.unit.stream_oracles import accumulate_chunks, accumulate_events, completion_summary, message_summary
from tests.unit.translation_cases import (
    ANTHROPIC_TIME,
    OPENAI_TIME,
    OPENAI_WEATHER,
    PDF_URI,
    PNG,
    PNG_URI,
    WEATHER_SCHEMA,
    assistant,
    call,
    chat,
    messages_body,
    text,
    tool,
    tool_result,
    tool_use,
    turn,
    user,
)
from tollway.wire.sse import SSEDecoder
from tollway.wire.translate import (
    ChunksToMessageEvents,
    GeminiStreamToChunks,
    MessageStreamToChunks,
    chat_request_from_messages,
    completion_from_gemini,
    completion_from_message,
    gemini_request_from_chat,
    generate_content_path,
    message_from_completion,
    messages_request_from_chat,
)

# An OpenAI conversation using everything at once: system text in two places, images, a PDF,
# parallel tool calls with results, a call without arguments, then a new question.
CONVERSATION = chat(
    {"role": "system", "content": "be brief"},
    user([text("what is here?"), {"type": "image_url", "image_url": {"url": PNG_URI}}]),
    assistant("let me check", call("call_a", "weather", '{"city": "Oslo"}'), call("call_b", "time", "")),
    tool("call_a", '{"temp": -3}'), tool("call_b", "noon"),
    {"role": "developer", "content": "answer in English"},
    user([text("and this?"), {"type": "file", "file": {"filename": "r.pdf", "file_data": PDF_URI}}]),
    tools=[OPENAI_WEATHER, OPENAI_TIME], tool_choice="auto", max_tokens=50, temperature=1.3, user="u-1")
SCRIPTED = Reply(thinking="hm", text="Cold at noon", tool_calls=[ToolCall("time", {"tz": "UTC"})])


def read_sse(response: httpx.Response) -> Iterator[Any]:
    decoder = SSEDecoder()
    for piece in response.iter_raw():
        yield from decoder.feed(piece)
    yield from decoder.finish()


@pytest.mark.parametrize("stream", [False, True])
def test_openai_conversation_through_fake_anthropic(anthropic_upstream: FakeAnthropic, stream: bool) -> None:
    anthropic_fake = anthropic_upstream
    anthropic_fake.script(Behaviour(reply=SCRIPTED))
    request = messages_request_from_chat({**CONVERSATION, "stream": stream})
    headers = {"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"}
    with httpx.stream("POST", f"{anthropic_fake.url}/v1/messages", json=request.body, headers=headers,
                      timeout=10) as response:
        if not stream:
            response.read()
            assert response.status_code == 200, response.text
            completion = completion_from_message(response.json(), structured_tool=request.structured_tool)
        else:
            assert response.status_code == 200
            translator = MessageStreamToChunks(structured_tool=request.structured_tool)
            chunks = [c for event in read_sse(response) for c in translator.feed(event.event, event.json())]
            completion = accumulate_chunks(chunks + translator.finish())
    ChatCompletion.model_validate(completion)
    summary = completion_summary(completion)
    assert (summary["content"], summary["reasoning"], summary["finish_reason"]) == ("Cold at noon", "hm", "tool_calls")
    assert [(name, args) for _, name, args, _ in summary["tool_calls"]] == [("time", {"tz": "UTC"})]


def test_json_schema_through_fake_anthropic_comes_back_as_text(anthropic_upstream: FakeAnthropic) -> None:
    anthropic_fake = anthropic_upstream
    anthropic_fake.script(Behaviour(reply=Reply(tool_calls=[ToolCall("report", {"city": "Oslo"})])))
    request = messages_request_from_chat(chat(user("weather?"), max_tokens=50, response_format={
        "type": "json_schema", "json_schema": {"name": "report", "schema": WEATHER_SCHEMA}}))
    response = httpx.post(f"{anthropic_fake.url}/v1/messages", json=request.body, timeout=10,
                          headers={"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"})
    completion = completion_from_message(response.json(), structured_tool=request.structured_tool)
    assert completion["choices"][0]["message"]["content"] == '{"city":"Oslo"}'
    assert completion["choices"][0]["finish_reason"] == "stop"


ANTHROPIC_CONVERSATION = messages_body(
    turn("user", text("what is here?"), {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                                     "data": PNG}}),
    turn("assistant", {"type": "thinking", "thinking": "hm", "signature": "s"}, text("checking"),
         tool_use("toolu_a", "time", {})),
    turn("user", tool_result("toolu_a", "noon"), text("so?")),
    system="be brief", tools=[ANTHROPIC_TIME], tool_choice={"type": "auto", "disable_parallel_tool_use": True},
    metadata={"user_id": "u-1"}, top_k=5)


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_conversation_through_fake_openai(upstream: FakeOpenAI, stream: bool) -> None:
    openai_fake = upstream
    openai_fake.script(Behaviour(reply=Reply(thinking="hm", text="It is noon", tool_calls=[ToolCall("time", {})])))
    body = chat_request_from_messages({**ANTHROPIC_CONVERSATION, "stream": stream})
    with httpx.stream("POST", f"{openai_fake.base_url}/chat/completions", json=body, timeout=10) as response:
        assert response.status_code == 200
        if not stream:
            response.read()
            message = message_from_completion(response.json(), thinking=True)
        else:
            translator = ChunksToMessageEvents(model="gpt-x", input_tokens=3, thinking=True)
            events = [e for event in read_sse(response) if event.data != "[DONE]"
                      for e in translator.feed(event.json())]
            message = accumulate_events(events + translator.finish())
    Message.model_validate(message)
    assert message_summary(message)["content"] == [
        ("thinking", "hm"), ("text", "It is noon"), ("tool_use", "call_fake0", "time", {})]
    assert message_summary(message)["stop_reason"] == "tool_use"
    assert openai_fake.requests[-1].body["tool_choice"] == "auto"


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-pro-preview"])
def test_openai_conversation_through_fake_gemini(gemini_upstream: FakeGemini, model: str, stream: bool) -> None:
    gemini_fake = gemini_upstream
    gemini_fake.script(Behaviour(reply=SCRIPTED))
    body = gemini_request_from_chat(CONVERSATION)
    with httpx.stream("POST", gemini_fake.url + generate_content_path(model, stream=stream), json=body,
                      headers={"x-goog-api-key": GEMINI_KEY}, timeout=10) as response:
        if not stream:
            response.read()
            assert response.status_code == 200, response.text
            completion = completion_from_gemini(response.json(), model=model)
        else:
            assert response.status_code == 200
            translator = GeminiStreamToChunks(model=model)
            chunks = [c for event in read_sse(response) for c in translator.feed(event.json())]
            completion = accumulate_chunks(chunks + translator.finish())
    ChatCompletion.model_validate(completion)
    summary = completion_summary(completion)
    assert (summary["content"], summary["reasoning"], summary["finish_reason"]) == ("Cold at noon", "hm", "tool_calls")
    [(call_id, name, args, extra)] = summary["tool_calls"]
    assert (name, args, call_id.startswith("call_")) == ("time", {"tz": "UTC"}, True)
    # The signature Gemini gave comes back to the client, ready for the next turn.
    assert extra == {"google": {"thought_signature": "ZmFrZS10aG91Z2h0LXNpZ25hdHVyZQ=="}}
