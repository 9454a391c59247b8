"""The non-streamed reply half of the translation matrix: Anthropic Message → ChatCompletion,
ChatCompletion → Anthropic Message, Gemini response → ChatCompletion. Every output is also
checked against the real SDKs' response types, so a client's SDK can parse it.
"""

from __future__ import annotations

from typing import Any

import pytest
from anthropic.types import Message
from openai.types.chat import ChatCompletion

from tollway.errors import UpstreamError
from tollway.wire.translate import completion_from_gemini, completion_from_message, message_from_completion
from tollway.wire.translate.stop_and_usage import (
    anthropic_usage_from_openai,
    finish_reason_for,
    finish_reason_for_gemini,
    openai_usage_from_anthropic,
    openai_usage_from_gemini,
    stop_reason_for,
)
from tollway.wire.translate.tool_calls import generated_call_id

USAGE_3_5 = {"input_tokens": 3, "output_tokens": 5}
OPENAI_USAGE_3_5 = {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8,
                    "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}}


def anthropic_message(*content: dict[str, Any], stop: str = "end_turn", usage: dict[str, Any] | None = None) -> dict:
    return {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": list(content),
            "stop_reason": stop, "stop_sequence": None, "usage": usage or USAGE_3_5}


def completion(message: dict[str, Any], finish: str = "stop", usage: dict[str, Any] | None = None) -> dict:
    return {"id": "msg_1", "object": "chat.completion", "created": 7, "model": "claude-x",
            "choices": [{"index": 0, "message": {"role": "assistant", "refusal": None, **message},
                         "logprobs": None, "finish_reason": finish}],
            "usage": usage or OPENAI_USAGE_3_5}


def fn(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


# -- Anthropic → OpenAI ----------------------------------------------------------------------------

FROM_ANTHROPIC = [
    ("text", anthropic_message({"type": "text", "text": "hello"}), None, completion({"content": "hello"})),
    ("several text blocks join", anthropic_message({"type": "text", "text": "a"}, {"type": "text", "text": "b"}), None,
     completion({"content": "ab"})),
    ("empty content", anthropic_message(), None, completion({"content": ""})),
    ("thinking → reasoning_content", anthropic_message({"type": "thinking", "thinking": "hm", "signature": "s"},
                                                       {"type": "text", "text": "42"}), None,
     completion({"content": "42", "reasoning_content": "hm"})),
    ("parallel tool calls with ids", anthropic_message(
        {"type": "tool_use", "id": "toolu_a", "name": "weather", "input": {"city": "Zürich"}},
        {"type": "tool_use", "id": "toolu_b", "name": "time", "input": {}}, stop="tool_use"), None,
     completion({"content": None, "tool_calls": [fn("toolu_a", "weather", '{"city":"Zürich"}'),
                                                 fn("toolu_b", "time", "{}")]}, "tool_calls")),
    ("text interleaved with a tool call", anthropic_message(
        {"type": "text", "text": "checking"}, {"type": "tool_use", "id": "toolu_a", "name": "time", "input": {}},
        stop="tool_use"), None,
     completion({"content": "checking", "tool_calls": [fn("toolu_a", "time", "{}")]}, "tool_calls")),
    ("structured-output tool becomes the answer", anthropic_message(
        {"type": "tool_use", "id": "toolu_s", "name": "report", "input": {"city": "Oslo", "temp": -3}},
        stop="tool_use"), "report", completion({"content": '{"city":"Oslo","temp":-3}'}, "stop")),
    ("structured-output tool next to a real tool call", anthropic_message(
        {"type": "tool_use", "id": "toolu_a", "name": "time", "input": {}}, stop="tool_use"), "report",
     completion({"content": None, "tool_calls": [fn("toolu_a", "time", "{}")]}, "tool_calls")),
    ("max tokens", anthropic_message({"type": "text", "text": "cut"}, stop="max_tokens"), None,
     completion({"content": "cut"}, "length")),
    ("refusal", anthropic_message(stop="refusal"), None, completion({"content": ""}, "content_filter")),
    ("cache reads and writes count as prompt tokens",
     anthropic_message({"type": "text", "text": "x"}, usage={"input_tokens": 3, "output_tokens": 5,
                                                             "cache_read_input_tokens": 100,
                                                             "cache_creation_input_tokens": 20}), None,
     completion({"content": "x"}, usage={"prompt_tokens": 123, "completion_tokens": 5, "total_tokens": 128,
                                         "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 20}})),
]


@pytest.mark.parametrize(("message", "structured", "expected"), [c[1:] for c in FROM_ANTHROPIC],
                         ids=[c[0] for c in FROM_ANTHROPIC])
def test_anthropic_message_becomes_chat_completion(message: dict, structured: str | None, expected: dict) -> None:
    translated = completion_from_message(message, structured_tool=structured, created=7)
    assert translated == expected
    ChatCompletion.model_validate(translated)


# -- OpenAI → Anthropic ----------------------------------------------------------------------------

def openai_completion(message: dict[str, Any], finish: str = "stop", usage: dict[str, Any] | None = None) -> dict:
    return {"id": "chatcmpl-9", "object": "chat.completion", "created": 7, "model": "gpt-x",
            "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
            "usage": usage or {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}}


def message(*content: dict[str, Any], stop: str = "end_turn", usage: dict[str, Any] | None = None) -> dict:
    return {"id": "msg_9", "type": "message", "role": "assistant", "model": "gpt-x", "content": list(content),
            "stop_reason": stop, "stop_sequence": None,
            "usage": usage or {"input_tokens": 3, "output_tokens": 5, "cache_creation_input_tokens": 0,
                               "cache_read_input_tokens": 0}}


TO_ANTHROPIC = [
    ("text", openai_completion({"content": "hello"}), False, message({"type": "text", "text": "hello"})),
    ("empty content", openai_completion({"content": ""}), False, message()),
    ("tool calls, parallel, no-argument call", openai_completion(
        {"content": "checking", "tool_calls": [fn("call_a", "weather", '{"city": "Oslo"}'), fn("call_b", "time", "")]},
        "tool_calls"), False,
     message({"type": "text", "text": "checking"},
             {"type": "tool_use", "id": "call_a", "name": "weather", "input": {"city": "Oslo"}},
             {"type": "tool_use", "id": "call_b", "name": "time", "input": {}}, stop="tool_use")),
    ("length", openai_completion({"content": "cut"}, "length"), False,
     message({"type": "text", "text": "cut"}, stop="max_tokens")),
    ("content filter", openai_completion({"content": None}, "content_filter"), False, message(stop="refusal")),
    ("refusal field", openai_completion({"content": None, "refusal": "I can't."}), False,
     message({"type": "text", "text": "I can't."}, stop="refusal")),
    ("reasoning dropped unless thinking was asked for", openai_completion({"content": "4", "reasoning_content": "2+2"}),
     False, message({"type": "text", "text": "4"})),
    ("reasoning as a thinking block when asked", openai_completion({"content": "4", "reasoning_content": "2+2"}),
     True, message({"type": "thinking", "thinking": "2+2", "signature": ""}, {"type": "text", "text": "4"})),
    ("cached tokens leave input_tokens", openai_completion(
        {"content": "x"}, usage={"prompt_tokens": 130, "completion_tokens": 5, "total_tokens": 135,
                                 "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 20}}), False,
     message({"type": "text", "text": "x"}, usage={"input_tokens": 10, "output_tokens": 5,
                                                   "cache_creation_input_tokens": 20, "cache_read_input_tokens": 100})),
]


@pytest.mark.parametrize(("completion_", "thinking", "expected"), [c[1:] for c in TO_ANTHROPIC],
                         ids=[c[0] for c in TO_ANTHROPIC])
def test_chat_completion_becomes_anthropic_message(completion_: dict, thinking: bool, expected: dict) -> None:
    translated = message_from_completion(completion_, thinking=thinking)
    assert translated == expected
    Message.model_validate(translated)


@pytest.mark.parametrize("arguments", ["{oops", "[1, 2]"])
def test_a_model_tool_call_that_is_not_a_json_object_fails_as_upstream_error(arguments: str) -> None:
    with pytest.raises(UpstreamError):
        message_from_completion(openai_completion({"content": None, "tool_calls": [fn("c", "f", arguments)]}))


# -- Gemini → OpenAI -------------------------------------------------------------------------------

def gemini(*parts: dict[str, Any], finish: str = "STOP", usage: dict[str, Any] | None = None, **extra: Any) -> dict:
    return {"candidates": [{"content": {"role": "model", "parts": list(parts)}, "finishReason": finish, "index": 0}],
            "usageMetadata": usage or {"promptTokenCount": 3, "candidatesTokenCount": 5, "totalTokenCount": 8},
            "modelVersion": "gemini-2.5-flash", "responseId": "r1", **extra}


def g_completion(choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> dict:
    return {"id": "chatcmpl-r1", "object": "chat.completion", "created": 7, "model": "gemini-2.5-flash",
            "choices": choices, "usage": usage or OPENAI_USAGE_3_5}


def g_choice(message_: dict[str, Any], finish: str = "stop", index: int = 0) -> dict[str, Any]:
    return {"index": index, "message": {"role": "assistant", "refusal": None, **message_}, "logprobs": None,
            "finish_reason": finish}


GENERATED = generated_call_id("r1", 0, 0, "time", {})
FROM_GEMINI = [
    ("text parts join", gemini({"text": "hel"}, {"text": "lo"}), g_completion([g_choice({"content": "hello"})])),
    ("thought parts → reasoning_content", gemini({"text": "plan", "thought": True}, {"text": "42"}),
     g_completion([g_choice({"content": "42", "reasoning_content": "plan"})])),
    ("function calls: Gemini's id kept, a missing one generated, signature carried", gemini(
        {"text": "checking"},
        {"functionCall": {"id": "fc-1", "name": "weather", "args": {"city": "Oslo"}}, "thoughtSignature": "SIG"},
        {"functionCall": {"name": "time", "args": {}}}),
     g_completion([g_choice({"content": "checking", "tool_calls": [
         {**fn("fc-1", "weather", '{"city":"Oslo"}'), "extra_content": {"google": {"thought_signature": "SIG"}}},
         {**fn(generated_call_id("r1", 0, 1, "time", {}), "time", "{}")}]}, "tool_calls")])),
    ("max tokens", gemini({"text": "cut"}, finish="MAX_TOKENS"),
     g_completion([g_choice({"content": "cut"}, "length")])),
    ("safety", gemini({"text": ""}, finish="SAFETY"), g_completion([g_choice({"content": ""}, "content_filter")])),
    ("usage: cached, thinking and tool-use prompt tokens", gemini({"text": "x"}, usage={
        "promptTokenCount": 110, "cachedContentTokenCount": 100, "candidatesTokenCount": 5, "thoughtsTokenCount": 7,
        "toolUsePromptTokenCount": 2, "totalTokenCount": 124}),
     g_completion([g_choice({"content": "x"})], {
         "prompt_tokens": 112, "completion_tokens": 12, "total_tokens": 124,
         "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 0},
         "completion_tokens_details": {"reasoning_tokens": 7}})),
    ("blocked prompt", {"promptFeedback": {"blockReason": "SAFETY"}, "responseId": "r1",
                        "usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 3}},
     g_completion([g_choice({"content": ""}, "content_filter")], {**OPENAI_USAGE_3_5, "completion_tokens": 0,
                                                                  "total_tokens": 3})),
]


@pytest.mark.parametrize(("response", "expected"), [c[1:] for c in FROM_GEMINI], ids=[c[0] for c in FROM_GEMINI])
def test_gemini_response_becomes_chat_completion(response: dict, expected: dict) -> None:
    translated = completion_from_gemini(response, model="gemini-2.5-flash", created=7)
    assert translated == expected
    ChatCompletion.model_validate(translated)


def test_gemini_candidates_become_choices() -> None:
    response = {"responseId": "r1", "candidates": [
        {"content": {"parts": [{"text": "a"}]}, "finishReason": "STOP", "index": 0},
        {"content": {"parts": [{"functionCall": {"name": "time", "args": {}}}]}, "finishReason": "STOP", "index": 1}]}
    choices = completion_from_gemini(response, model="g", created=7)["choices"]
    assert choices == [g_choice({"content": "a"}), g_choice(
        {"content": None, "tool_calls": [fn(generated_call_id("r1", 1, 0, "time", {}), "time", "{}")]},
        "tool_calls", index=1)]


def test_generated_call_ids_are_stable_and_differ_between_responses() -> None:
    assert GENERATED == generated_call_id("r1", 0, 0, "time", {})
    assert GENERATED.startswith("call_") and len(GENERATED) == 29
    assert GENERATED != generated_call_id("r2", 0, 0, "time", {})


def test_gemini_answer_without_candidates_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError):
        completion_from_gemini({"responseId": "r1"}, model="g")


# -- the reason and usage maps, both ways ------------------------------------------------------------

@pytest.mark.parametrize(("stop_reason", "finish"), [
    ("end_turn", "stop"), ("stop_sequence", "stop"), ("pause_turn", "stop"), ("max_tokens", "length"),
    ("model_context_window_exceeded", "length"), ("tool_use", "tool_calls"), ("refusal", "content_filter"),
    (None, "stop"), ("some_future_reason", "stop")])
def test_anthropic_stop_reason_to_openai_finish_reason(stop_reason: str | None, finish: str) -> None:
    assert finish_reason_for(stop_reason) == finish


@pytest.mark.parametrize(("finish", "stop_reason"), [
    ("stop", "end_turn"), ("length", "max_tokens"), ("tool_calls", "tool_use"), ("function_call", "tool_use"),
    ("content_filter", "refusal"), (None, "end_turn")])
def test_openai_finish_reason_to_anthropic_stop_reason(finish: str | None, stop_reason: str) -> None:
    assert stop_reason_for(finish) == stop_reason


@pytest.mark.parametrize(("reason", "called", "finish"), [
    ("STOP", False, "stop"), ("STOP", True, "tool_calls"), ("MAX_TOKENS", True, "length"),
    ("SAFETY", False, "content_filter"), ("RECITATION", False, "content_filter"),
    ("PROHIBITED_CONTENT", False, "content_filter"), ("SPII", False, "content_filter"),
    ("BLOCKLIST", False, "content_filter"), ("MALFORMED_FUNCTION_CALL", False, "stop"), ("OTHER", False, "stop")])
def test_gemini_finish_reason_to_openai(reason: str, called: bool, finish: str) -> None:
    assert finish_reason_for_gemini(reason, called_tools=called) == finish


def test_usage_round_trips_between_openai_and_anthropic() -> None:
    anthropic = {"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 20,
                 "cache_read_input_tokens": 100}
    assert anthropic_usage_from_openai(openai_usage_from_anthropic(anthropic)) == anthropic


def test_missing_usage_reads_as_zero() -> None:
    assert openai_usage_from_anthropic(None)["total_tokens"] == 0
    assert openai_usage_from_gemini(None)["prompt_tokens"] == 0
    assert anthropic_usage_from_openai({"prompt_tokens": 4}) == {
        "input_tokens": 4, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
