"""Properties of every translator and stream parser, on inputs hypothesis invents.

Requests: any request the gateway's own wire model accepts (OpenAI chat, Anthropic messages) is either
translated or refused with a 4xx naming its param — never another exception — and every non-blank
text a client sent is somewhere in what goes upstream. Replies and streams: any reply or chunk
sequence a provider could send comes back translated with all of its text, in order. The SSE decoder:
any chunking of any byte stream (invalid UTF-8 and lone surrogates included) gives the same events.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tollway.errors import TollwayError
from tollway.http.responses import FastJSONResponse
from tollway.wire.anthropic_messages import MessageCreateParams
from tollway.wire.json_codec import dumps
from tollway.wire.openai_chat import ChatCompletionRequest
from tollway.wire.sse import SSEDecoder, encode, encode_event
from tollway.wire.translate import (ChunksToMessageEvents, GeminiStreamToChunks, MessageStreamToChunks,
                                    chat_request_from_messages, completion_from_gemini, completion_from_message,
                                    gemini_request_from_chat, message_from_completion, messages_request_from_chat)
from tests.unit.translation_cases import PNG_URI

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Any code point, lone surrogates included (hypothesis leaves them out unless asked): JSON's \ud800
# escapes carry them, and both our parsers and the providers' accept them.
text = st.text(st.characters() | st.integers(0xD800, 0xDFFF).map(chr), min_size=1, max_size=40)
word = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30)  # what survives a JSON wire
call_id = st.from_regex(r"call_[a-z0-9]{4,10}", fullmatch=True)
tool_name = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def kept(sent: str, out: Any) -> bool:
    return not sent.strip() or any(sent in s for s in strings(out))


# -- OpenAI chat requests -------------------------------------------------------------------------

openai_part = st.one_of(
    st.builds(lambda t: {"type": "text", "text": t}, text),
    st.sampled_from([{"type": "image_url", "image_url": {"url": PNG_URI}},
                     {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}}]))
openai_call = st.builds(lambda i, n, a: {"id": i, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}},
                        call_id, tool_name, st.dictionaries(tool_name, st.integers(-2**63, 2**63 - 1) | word, max_size=3))
openai_message = st.one_of(
    st.builds(lambda c: {"role": "system", "content": c}, text),
    st.builds(lambda c: {"role": "user", "content": c}, text | st.lists(openai_part, min_size=1, max_size=4)),
    st.builds(lambda c, calls: {"role": "assistant", "content": c, **({"tool_calls": calls} if calls else {})},
              st.none() | text, st.lists(openai_call, max_size=2)),
    st.builds(lambda i, c: {"role": "tool", "tool_call_id": i, "content": c}, call_id, text))
openai_request = st.builds(
    lambda messages, params: {"model": "any-model", "messages": messages, **params},
    st.lists(openai_message, min_size=1, max_size=6),
    st.fixed_dictionaries({}, optional={"temperature": st.floats(0, 2), "top_p": st.floats(0, 1),
                                        "max_tokens": st.integers(1, 100_000), "stop": st.lists(word, max_size=4),
                                        "stream": st.booleans(), "user": word,
                                        "tools": st.lists(st.builds(lambda n: {"type": "function", "function": {
                                            "name": n, "parameters": {"type": "object", "properties": {}}}},
                                            tool_name), min_size=1, max_size=3, unique_by=str)}))


def _valid_openai(body: dict[str, Any]) -> None:
    try:
        ChatCompletionRequest.model_validate(body)
    except ValueError:
        assume(False)


def _user_texts(body: dict[str, Any]) -> list[str]:
    texts = []
    for message in body["messages"]:
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.extend(p.get("text", "") for p in content if p.get("type") == "text")
    return texts


@PROPERTY
@given(openai_request)
def test_any_valid_chat_request_becomes_a_claude_request_or_a_named_4xx_with_no_text_lost(body: dict[str, Any]) -> None:
    _valid_openai(body)
    try:
        out = messages_request_from_chat(body).body
    except TollwayError as exc:
        assert 400 <= exc.status < 500 and exc.message
        return
    assert all(kept(t, out) for t in _user_texts(body)), out


@PROPERTY
@given(openai_request)
def test_any_valid_chat_request_becomes_a_gemini_request_or_a_named_4xx_with_no_text_lost(body: dict[str, Any]) -> None:
    _valid_openai(body)
    try:
        out = gemini_request_from_chat(body)
    except TollwayError as exc:
        assert 400 <= exc.status < 500 and exc.message
        return
    assert all(kept(t, out) for t in _user_texts(body)), out


# -- Anthropic messages requests ------------------------------------------------------------------

anthropic_block = st.one_of(
    st.builds(lambda t: {"type": "text", "text": t}, text),
    st.just({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_URI.split(",")[1]}}))
anthropic_message = st.builds(lambda role, c: {"role": role, "content": c}, st.sampled_from(["user", "assistant"]),
                              text | st.lists(anthropic_block, min_size=1, max_size=4))
anthropic_request = st.builds(
    lambda messages, params: {"model": "any-model", "max_tokens": 100, "messages": messages, **params},
    st.lists(anthropic_message, min_size=1, max_size=6),
    st.fixed_dictionaries({}, optional={"system": text, "temperature": st.floats(0, 1),
                                        "stop_sequences": st.lists(word, max_size=6), "stream": st.booleans()}))


@PROPERTY
@given(anthropic_request)
def test_any_valid_messages_request_becomes_a_chat_request_or_a_named_4xx_with_no_text_lost(
        body: dict[str, Any]) -> None:
    try:
        MessageCreateParams.model_validate(body)
    except ValueError:
        assume(False)
    try:
        out = chat_request_from_messages(body)
    except TollwayError as exc:
        assert 400 <= exc.status < 500 and exc.message
        return
    sent = [body.get("system", "")] + [b["text"] for m in body["messages"] for b in
                                       ([{"text": m["content"]}] if isinstance(m["content"], str) else m["content"])
                                       if "text" in b]
    assert all(kept(t, out) for t in sent), out


# -- Replies --------------------------------------------------------------------------------------

finish = st.sampled_from(["stop", "length", "tool_calls", "content_filter"])


@PROPERTY
@given(st.none() | word, st.lists(openai_call, max_size=3), finish, st.integers(0, 10**6), st.integers(0, 10**6))
def test_any_chat_completion_becomes_a_claude_message_with_its_text_and_calls(
        content: str | None, calls: list[dict[str, Any]], reason: str, prompt: int, completion: int) -> None:
    answer = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m", "choices": [{
        "index": 0, "finish_reason": reason,
        "message": {"role": "assistant", "content": content, **({"tool_calls": calls} if calls else {})}}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}}
    message = message_from_completion(answer)
    assert "".join(b["text"] for b in message["content"] if b["type"] == "text") == (content or "")
    assert [b["name"] for b in message["content"] if b["type"] == "tool_use"] == [c["function"]["name"] for c in calls]
    assert message["usage"]["output_tokens"] == completion


claude_block = st.one_of(st.builds(lambda t: {"type": "text", "text": t}, word),
                         st.builds(lambda i, n: {"type": "tool_use", "id": i, "name": n, "input": {}},
                                   st.from_regex(r"toolu_[a-z0-9]{4,8}", fullmatch=True), tool_name))


@PROPERTY
@given(st.lists(claude_block, max_size=5), st.sampled_from(["end_turn", "max_tokens", "tool_use", "stop_sequence"]))
def test_any_claude_message_becomes_a_chat_completion_with_its_text_and_calls(
        blocks: list[dict[str, Any]], stop: str) -> None:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": blocks,
               "stop_reason": stop, "usage": {"input_tokens": 3, "output_tokens": 5}}
    choice = completion_from_message(message)["choices"][0]
    assert (choice["message"]["content"] or "") == "".join(b["text"] for b in blocks if b["type"] == "text")
    assert [c["function"]["name"] for c in choice["message"].get("tool_calls") or []] == \
        [b["name"] for b in blocks if b["type"] == "tool_use"]


gemini_part = st.one_of(st.builds(lambda t: {"text": t}, word),
                        st.builds(lambda n: {"functionCall": {"name": n, "args": {}}}, tool_name))


@PROPERTY
@given(st.lists(gemini_part, max_size=5), st.sampled_from(["STOP", "MAX_TOKENS", "SAFETY", "OTHER"]))
def test_any_gemini_answer_becomes_a_chat_completion_with_its_text_and_calls(
        parts: list[dict[str, Any]], reason: str) -> None:
    response = {"responseId": "r1", "candidates": [{"content": {"role": "model", "parts": parts},
                                                    "finishReason": reason, "index": 0}],
                "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 4}}
    choice = completion_from_gemini(response, model="gemini-x")["choices"][0]
    assert (choice["message"]["content"] or "") == "".join(p["text"] for p in parts if "text" in p)
    assert [c["function"]["name"] for c in choice["message"].get("tool_calls") or []] == \
        [p["functionCall"]["name"] for p in parts if "functionCall" in p]


# -- Streams --------------------------------------------------------------------------------------

@PROPERTY
@given(st.lists(word, min_size=1, max_size=8))
def test_any_chunk_stream_becomes_claude_events_and_back_with_every_word_in_order(words: list[str]) -> None:
    chunks = [{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": {"role": "assistant", "content": w}, "finish_reason": None}]}
              for w in words]
    chunks.append({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    to_claude = ChunksToMessageEvents(model="m")
    events = [e for c in chunks for e in to_claude.feed(c)] + to_claude.finish()
    back = MessageStreamToChunks()
    round_trip = [c for name, data in events for c in back.feed(name, data)] + back.finish()
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in round_trip if c.get("choices")) == \
        "".join(words)


@PROPERTY
@given(st.lists(st.lists(gemini_part, min_size=1, max_size=3), min_size=1, max_size=5))
def test_any_gemini_stream_becomes_chunks_with_every_word_in_order(pieces: list[list[dict[str, Any]]]) -> None:
    reader = GeminiStreamToChunks(model="gemini-x")
    last = len(pieces) - 1
    chunks = [c for i, parts in enumerate(pieces) for c in reader.feed({"responseId": "r", "candidates": [
        {"content": {"role": "model", "parts": parts}, "index": 0, **({"finishReason": "STOP"} if i == last else {})}]})]
    chunks += reader.finish()
    texts = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices"))
    assert texts == "".join(p["text"] for parts in pieces for p in parts if "text" in p)


def _chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def _decode(chunks: list[bytes]) -> list[tuple[str | None, str]]:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)]
    events.extend(decoder.finish())
    return [(e.event, e.data) for e in events]


sse_events = st.lists(st.tuples(st.none() | tool_name, text), min_size=1, max_size=6)


@PROPERTY
@given(sse_events, st.lists(st.integers(0, 10**6), max_size=12))
def test_the_sse_writer_and_decoder_keep_every_event_whatever_the_chunking_even_lone_surrogates(
        events: list[tuple[str | None, str]], cuts: list[int]) -> None:
    # What we write (a lone surrogate as its JSON escape: valid UTF-8, the same string once parsed)...
    stream = b"".join(encode_event(name, {"t": t}) if name else encode({"t": t}) for name, t in events)
    stream.decode("utf-8")
    decoded = _decode(_chunked(stream, cuts))
    assert decoded == _decode([stream])
    assert [(name, json.loads(data)["t"]) for name, data in decoded] == [(n, _as_parsed(t)) for n, t in events]


@PROPERTY
@given(text)
def test_any_text_an_upstream_sent_is_written_back_as_valid_json(sent: str) -> None:
    body = {"choices": [{"message": {"content": sent}}]}
    for written in (FastJSONResponse(body).body, dumps(body), encode(json.dumps(body, ensure_ascii=False)),
                    encode_event("content_block_delta", body)):
        assert _parsed(written) == {"choices": [{"message": {"content": _as_parsed(sent)}}]}


def _as_parsed(sent: str) -> str:
    """The string a JSON parser gives for `sent` (two surrogates in a row that form a pair are one
    character once parsed: no upstream answer can hold them apart)."""
    return str(json.loads(json.dumps(sent)))


def _parsed(written: bytes) -> Any:
    data = written.decode("utf-8")
    return json.loads(data.split("data: ", 1)[1] if data.startswith(("data: ", "event: ")) else data)


@PROPERTY
@given(st.binary(max_size=300), st.lists(st.integers(0, 10**6), max_size=12))
def test_the_sse_decoder_survives_any_bytes_whatever_the_chunking(data: bytes, cuts: list[int]) -> None:
    decoded = _decode(_chunked(data, cuts))  # invalid UTF-8 included: U+FFFD, never an exception
    assert decoded == _decode([data])
    for _, payload in decoded:
        payload.encode("utf-8")  # nothing undecodable is passed on
