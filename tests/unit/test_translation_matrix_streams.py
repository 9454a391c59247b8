"""The streaming half of the translation matrix: Anthropic events → OpenAI chunks, OpenAI chunks →
Anthropic events, Gemini stream → OpenAI chunks.

Each direction has a hand-checked full expected sequence, and a property: whatever reply the fake
upstream streams, cut into network chunks of any size (UTF-8 characters split included), the
client's own SDK accumulates the translated stream into the same answer as the translation of
the non-streamed reply.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fakes.anthropic_upstream import FakeAnthropic
from tests.fakes.gemini_upstream import FakeGemini
from tests.fakes.gemini_upstream import _merge as merge_gemini_stream
from tests.fakes.scripted import Behaviour, Reply, TokenUsage, ToolCall
from tests.unit.stream_oracles import (
    accumulate_chunks,
    accumulate_events,
    completion_summary,
    message_summary,
    sse_events,
)
from tollway.errors import UpstreamError
from tollway.wire.translate import (
    ChunksToMessageEvents,
    GeminiStreamToChunks,
    MessageStreamToChunks,
    completion_from_gemini,
    completion_from_message,
    message_from_completion,
)
from tollway.wire.translate.tool_calls import generated_call_id

REPLIES = [
    ("text", Reply(text="héllo wörld, 日本語 🙂")),
    ("echo", None),
    ("thinking then text", Reply(thinking="let me think", text="42")),
    ("parallel tool calls", Reply(tool_calls=[ToolCall("weather", {"city": "Zürich", "unit": "°C"}, "toolu_a"),
                                              ToolCall("time", {}, "toolu_b")])),
    ("text interleaved with a tool call", Reply(text="checking now", tool_calls=[ToolCall("time", {"tz": "UTC"})])),
    ("cached usage", Reply(text="ok", usage=TokenUsage(input_tokens=4, cache_read=100, cache_write=20))),
    ("max tokens", Reply(text="one two three four five six seven")),
]
CUTS = [1, 3, 7, 64, 100_000]


# -- Anthropic → OpenAI chunks ----------------------------------------------------------------------

def anthropic_stream(reply: Reply | None) -> tuple[bytes, dict[str, Any]]:
    fake, behaviour = FakeAnthropic(), Behaviour(reply=reply, argument_piece=3)
    body = {"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": "ça va bien"}]}
    message = fake._message(body, behaviour, "msg_1")
    return b"".join(item.data for item in fake._events(message, behaviour)), message


def translate_anthropic(data: bytes, cut: int, structured_tool: str | None = None) -> list[dict[str, Any]]:
    translator = MessageStreamToChunks(structured_tool=structured_tool, created=7)
    chunks = [c for e in sse_events(data, cut) for c in translator.feed(e.event, e.json())]
    return chunks + translator.finish()


@pytest.mark.parametrize("cut", CUTS)
@pytest.mark.parametrize("reply", [r[1] for r in REPLIES], ids=[r[0] for r in REPLIES])
def test_anthropic_stream_accumulates_to_the_translated_message(reply: Reply | None, cut: int) -> None:
    data, message = anthropic_stream(reply)
    streamed = accumulate_chunks(translate_anthropic(data, cut))
    assert completion_summary(streamed) == completion_summary(completion_from_message(message))


def events(*items: dict[str, Any]) -> bytes:
    return b"".join(f"event: {i['type']}\ndata: {json.dumps(i)}\n\n".encode() for i in items)


START = {"type": "message_start", "message": {
    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": [], "stop_reason": None,
    "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 1, "cache_read_input_tokens": 100}}}


def block_start(index: int, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": block}


def block_delta(index: int, delta: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": delta}


def block_stop(index: int) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": index}


def message_end(stop: str, output: int) -> list[dict[str, Any]]:
    return [{"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
             "usage": {"output_tokens": output}}, {"type": "message_stop"}]


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    base = {"id": "msg_1", "object": "chat.completion.chunk", "created": 7, "model": "claude-x"}
    if delta is None:
        return {**base, "choices": [], **top}
    return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


USAGE_CHUNK_OUTPUT_9 = chunk(usage={"prompt_tokens": 103, "completion_tokens": 9, "total_tokens": 112,
                                    "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 0}})


def test_anthropic_stream_becomes_exactly_these_chunks() -> None:
    data = events(START, {"type": "ping"},
                  block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
                  block_delta(0, {"type": "thinking_delta", "thinking": "hm"}),
                  block_delta(0, {"type": "signature_delta", "signature": "sig"}), block_stop(0),
                  block_start(1, {"type": "text", "text": ""}), block_delta(1, {"type": "text_delta", "text": "Look"}),
                  block_stop(1),
                  block_start(2, {"type": "tool_use", "id": "toolu_a", "name": "weather", "input": {}}),
                  block_delta(2, {"type": "input_json_delta", "partial_json": ""}),
                  block_delta(2, {"type": "input_json_delta", "partial_json": '{"city": '}),
                  block_delta(2, {"type": "input_json_delta", "partial_json": '"Oslo"}'}), block_stop(2),
                  block_start(3, {"type": "tool_use", "id": "toolu_b", "name": "time", "input": {}}),
                  block_delta(3, {"type": "input_json_delta", "partial_json": ""}), block_stop(3),
                  *message_end("tool_use", 9))
    assert translate_anthropic(data, 100_000) == [
        chunk({"role": "assistant", "content": ""}),
        chunk({"reasoning_content": "hm"}),
        chunk({"content": "Look"}),
        chunk({"tool_calls": [{"index": 0, "id": "toolu_a", "type": "function",
                               "function": {"name": "weather", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Oslo"}'}}]}),
        chunk({"tool_calls": [{"index": 1, "id": "toolu_b", "type": "function",
                               "function": {"name": "time", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]}),  # no input: "{}", as OpenAI sends
        chunk({}, "tool_calls"),
        USAGE_CHUNK_OUTPUT_9,
    ]


def test_structured_output_tool_streams_as_content() -> None:
    data = events(START, block_start(0, {"type": "tool_use", "id": "toolu_s", "name": "report", "input": {}}),
                  block_delta(0, {"type": "input_json_delta", "partial_json": '{"ok":'}),
                  block_delta(0, {"type": "input_json_delta", "partial_json": " true}"}), block_stop(0),
                  *message_end("tool_use", 9))
    assert translate_anthropic(data, 100_000, structured_tool="report") == [
        chunk({"role": "assistant", "content": ""}), chunk({"content": '{"ok":'}), chunk({"content": " true}"}),
        chunk({}, "stop"), USAGE_CHUNK_OUTPUT_9]


def test_anthropic_translator_exposes_the_final_usage() -> None:
    translator = MessageStreamToChunks()
    for event in sse_events(events(START, *message_end("end_turn", 9)), 100):
        translator.feed(event.event, event.json())
    assert translator.usage == USAGE_CHUNK_OUTPUT_9["usage"] and translator.finish_reason == "stop"


@pytest.mark.parametrize(("stream", "message"), [
    (events(START, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}), "overloaded"),
    (events(START, block_start(0, {"type": "text", "text": ""})), "before message_stop"),
    (events(block_start(0, {"type": "text", "text": ""})), "message_start"),
])
def test_broken_anthropic_streams_raise_upstream_error(stream: bytes, message: str) -> None:
    with pytest.raises(UpstreamError, match=message):
        translate_anthropic(stream, 100_000)


# -- OpenAI chunks → Anthropic events -----------------------------------------------------------------

def openai_chunks(*deltas: dict[str, Any], finish: str = "stop", usage: dict[str, Any] | None = None) -> list[dict]:
    base = {"id": "chatcmpl-9", "object": "chat.completion.chunk", "created": 7, "model": "gpt-x"}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    chunks += [{**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    if usage is not None:
        chunks.append({**base, "choices": [], "usage": usage})
    return chunks


def translate_chunks(chunks: list[dict[str, Any]], **options: Any) -> list[tuple[str, dict[str, Any]]]:
    translator = ChunksToMessageEvents(model="gpt-x", input_tokens=options.pop("input_tokens", 0), **options)
    return [e for c in chunks for e in translator.feed(c)] + translator.finish()


def tool_delta(index: int, arguments: str, call_id: str | None = None, name: str | None = None) -> dict[str, Any]:
    call: dict[str, Any] = {"index": index, "function": {"arguments": arguments}}
    if call_id:
        call |= {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    return {"tool_calls": [call]}


USAGE = {"prompt_tokens": 130, "completion_tokens": 12, "total_tokens": 142,
         "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 20}}
CHUNK_STREAMS = [
    ("text", openai_chunks({"content": "héllo"}, {"content": " wörld 🙂"}, usage=USAGE)),
    ("reasoning then text", openai_chunks({"reasoning_content": "hm"}, {"content": "4"}, usage=USAGE)),
    ("text then parallel tool calls split into pieces", openai_chunks(
        {"content": "checking"}, tool_delta(0, "", "call_a", "weather"), tool_delta(0, '{"city"'),
        tool_delta(0, ': "Oslo"}'), tool_delta(1, "", "call_b", "time"), tool_delta(1, "{}"),
        finish="tool_calls", usage=USAGE)),
    ("tool call with no arguments at all", openai_chunks(tool_delta(0, "", "call_a", "time"), finish="tool_calls",
                                                         usage=USAGE)),
    ("length", openai_chunks({"content": "cut"}, finish="length", usage=USAGE)),
    ("refusal", openai_chunks({"refusal": "I can't."}, usage=USAGE)),
]


@pytest.mark.parametrize("thinking", [False, True])
@pytest.mark.parametrize("chunks", [s[1] for s in CHUNK_STREAMS], ids=[s[0] for s in CHUNK_STREAMS])
def test_openai_stream_accumulates_to_the_translated_message(chunks: list[dict[str, Any]], thinking: bool) -> None:
    streamed = accumulate_events(translate_chunks(chunks, thinking=thinking))
    expected = message_from_completion(accumulate_chunks(chunks), thinking=thinking)
    assert message_summary(streamed) == message_summary(expected)


def test_openai_stream_becomes_exactly_these_events() -> None:
    chunks = openai_chunks({"content": "Hi"}, tool_delta(0, "", "call_a", "time"), tool_delta(0, "{}"),
                           finish="tool_calls", usage=USAGE)
    assert translate_chunks(chunks, input_tokens=50) == [
        ("message_start", {"type": "message_start", "message": {
            "id": "msg_9", "type": "message", "role": "assistant", "model": "gpt-x", "content": [],
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 50, "output_tokens": 0, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0}}}),
        ("ping", {"type": "ping"}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": "Hi"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {
            "type": "tool_use", "id": "call_a", "name": "time", "input": {}}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 1,
                                 "delta": {"type": "input_json_delta", "partial_json": "{}"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 1}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                           "usage": {"input_tokens": 10, "output_tokens": 12, "cache_creation_input_tokens": 20,
                                     "cache_read_input_tokens": 100}}),
        ("message_stop", {"type": "message_stop"}),
    ]


def test_without_a_usage_chunk_output_is_estimated_and_input_left_as_announced() -> None:
    translator = ChunksToMessageEvents(model="gpt-x", input_tokens=40)
    for c in openai_chunks({"content": "twelve bytes"}):
        translator.feed(c)
    end = translator.finish()
    assert end[-2] == ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                                                             "stop_sequence": None},
                                         "usage": {"output_tokens": 4}})
    assert translator.openai_usage is None
    assert translator.usage == {"input_tokens": 40, "output_tokens": 4, "cache_creation_input_tokens": 0,
                                "cache_read_input_tokens": 0}


def test_an_empty_stream_still_has_the_full_event_frame() -> None:
    names = [name for name, _ in ChunksToMessageEvents(model="gpt-x").finish()]
    assert names == ["message_start", "ping", "message_delta", "message_stop"]


@pytest.mark.parametrize("chunks", [
    openai_chunks(tool_delta(0, "", "a", "f"), tool_delta(1, "", "b", "g"), tool_delta(0, "{}")),
    [{"error": {"message": "boom", "type": "server_error"}}],
], ids=["interleaved tool calls", "error chunk"])
def test_untranslatable_openai_streams_raise_upstream_error(chunks: list[dict[str, Any]]) -> None:
    with pytest.raises(UpstreamError):
        translate_chunks(chunks)


# -- Gemini → OpenAI chunks ---------------------------------------------------------------------

def gemini_stream(reply: Reply | None, model: str = "gemini-2.5-flash") -> tuple[bytes, dict[str, Any]]:
    body = {"contents": [{"role": "user", "parts": [{"text": "ça va bien"}]}],
            "generationConfig": {"maxOutputTokens": 5}}
    responses = FakeGemini()._responses(model, body, Behaviour(reply=reply), "resp-1")
    data = b"".join(b"data: " + json.dumps(r, ensure_ascii=False).encode() + b"\r\n\r\n" for r in responses)
    return data, merge_gemini_stream(responses)


def translate_gemini(data: bytes, cut: int) -> list[dict[str, Any]]:
    translator = GeminiStreamToChunks(model="gemini-2.5-flash", created=7)
    chunks = [c for e in sse_events(data, cut) for c in translator.feed(e.json())]
    return chunks + translator.finish()


@pytest.mark.parametrize("cut", CUTS)
@pytest.mark.parametrize("reply", [r[1] for r in REPLIES], ids=[r[0] for r in REPLIES])
def test_gemini_stream_accumulates_to_the_translated_response(reply: Reply | None, cut: int) -> None:
    data, merged = gemini_stream(reply)
    streamed = accumulate_chunks(translate_gemini(data, cut))
    assert completion_summary(streamed) == completion_summary(completion_from_gemini(merged, model="gemini-2.5-flash"))


def g_chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    base = {"id": "chatcmpl-r1", "object": "chat.completion.chunk", "created": 7, "model": "gemini-2.5-flash"}
    if delta is None:
        return {**base, "choices": [], **top}
    return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


def test_gemini_stream_becomes_exactly_these_chunks() -> None:
    responses = [
        {"responseId": "r1", "candidates": [{"content": {"role": "model", "parts": [{"text": "plan", "thought": True}]},
                                             "index": 0}]},
        {"responseId": "r1", "candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}, "index": 0}]},
        {"responseId": "r1", "candidates": [{"content": {"role": "model", "parts": [
            {"functionCall": {"name": "time", "args": {"tz": "UTC"}}, "thoughtSignature": "SIG"}]},
            "finishReason": "STOP", "index": 0}],
         "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 5, "thoughtsTokenCount": 2,
                           "totalTokenCount": 10}},
    ]
    data = b"".join(b"data: " + json.dumps(r).encode() + b"\r\n\r\n" for r in responses)
    assert translate_gemini(data, 100_000) == [
        g_chunk({"role": "assistant", "content": ""}),
        g_chunk({"reasoning_content": "plan"}),
        g_chunk({"content": "Hi"}),
        g_chunk({"tool_calls": [{"index": 0, "id": generated_call_id("r1", 0, 0, "time", {"tz": "UTC"}),
                                 "type": "function", "function": {"name": "time", "arguments": '{"tz":"UTC"}'},
                                 "extra_content": {"google": {"thought_signature": "SIG"}}}]}),
        g_chunk({}, "tool_calls"),
        g_chunk(usage={"prompt_tokens": 3, "completion_tokens": 7, "total_tokens": 10,
                       "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                       "completion_tokens_details": {"reasoning_tokens": 2}}),
    ]


def test_gemini_blocked_prompt_streams_as_content_filter() -> None:
    data = b'data: {"responseId": "r1", "promptFeedback": {"blockReason": "SAFETY"}}\r\n\r\n'
    chunks = translate_gemini(data, 100_000)
    assert chunks[:2] == [g_chunk({"role": "assistant", "content": ""}), g_chunk({}, "content_filter")]


@pytest.mark.parametrize("data", [
    b'data: {"responseId": "r1", "candidates": [{"content": {"parts": [{"text": "a"}]}, "index": 0}]}\r\n\r\n',
    b'data: {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}\r\n\r\n',
    b"",
], ids=["ended before a finish reason", "error in the stream", "nothing at all"])
def test_broken_gemini_streams_raise_upstream_error(data: bytes) -> None:
    with pytest.raises(UpstreamError):
        translate_gemini(data, 100_000)
