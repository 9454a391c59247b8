"""The fake Gemini upstream speaks generateContent / streamGenerateContent as Google does, and
refuses what Google refuses, with Google-shaped errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.gemini_upstream import API_KEY, SIGNATURE, Behaviour, FakeGemini, Reply, TokenUsage, ToolCall
from tests.unit.stream_oracles import sse_events

KEY = {"x-goog-api-key": API_KEY}
HELLO = {"contents": [{"role": "user", "parts": [{"text": "one two"}]}]}


def post(gemini_upstream: FakeGemini, action: str, body: Any, headers: dict[str, str] = KEY,
         model: str = "gemini-2.5-flash") -> httpx.Response:
    return httpx.post(f"{gemini_upstream.url}/v1beta/models/{model}:{action}", headers=headers, json=body, timeout=10)


def test_generate_content_echoes_with_usage(gemini_upstream: FakeGemini) -> None:
    response = post(gemini_upstream, "generateContent", HELLO)
    assert response.status_code == 200
    assert response.json() == {
        "candidates": [{"content": {"parts": [{"text": "one two"}], "role": "model"}, "finishReason": "STOP",
                        "index": 0}],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 2, "totalTokenCount": 12,
                          "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}]},
        "modelVersion": "gemini-2.5-flash", "responseId": response.json()["responseId"]}
    sent = gemini_upstream.requests[-1]
    assert sent.body == HELLO and sent.headers["x-goog-api-key"] == API_KEY


def test_stream_is_sse_with_crlf_and_the_finish_on_the_last_event(gemini_upstream: FakeGemini) -> None:
    response = post(gemini_upstream, "streamGenerateContent?alt=sse", HELLO)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.content.count(b"\r\n\r\n") == 2
    events = [e.json() for e in sse_events(response.content, 100_000)]
    assert [e["candidates"][0]["content"]["parts"] for e in events] == [[{"text": "one"}], [{"text": " two"}]]
    assert [e["candidates"][0].get("finishReason") for e in events] == [None, "STOP"]
    assert events[-1]["usageMetadata"]["candidatesTokenCount"] == 2


def test_stream_without_alt_sse_is_a_json_array(gemini_upstream: FakeGemini) -> None:
    assert len(post(gemini_upstream, "streamGenerateContent", HELLO).json()) == 2


def test_scripted_function_calls_come_whole_with_a_signature_on_the_first(gemini_upstream: FakeGemini) -> None:
    gemini_upstream.script(Behaviour(reply=Reply(thinking="plan it", tool_calls=[ToolCall("weather", {"city": "Oslo"}),
                                                                      ToolCall("time", {}, id="fc-2")],
                                      usage=TokenUsage(input_tokens=5, cache_read=100))))
    answer = post(gemini_upstream, "generateContent", HELLO).json()
    assert answer["candidates"][0]["content"]["parts"] == [
        {"text": "plan it", "thought": True},
        {"functionCall": {"name": "weather", "args": {"city": "Oslo"}}, "thoughtSignature": SIGNATURE},
        {"functionCall": {"name": "time", "args": {}, "id": "fc-2"}}]
    usage = answer["usageMetadata"]
    assert (usage["promptTokenCount"], usage["cachedContentTokenCount"], usage["thoughtsTokenCount"]) == (105, 100, 2)


def test_key_in_the_query_works_too(gemini_upstream: FakeGemini) -> None:
    assert post(gemini_upstream, f"generateContent?key={API_KEY}", HELLO, headers={}).status_code == 200


@pytest.mark.parametrize(("headers", "status", "code", "reason"), [
    ({}, 403, "PERMISSION_DENIED", None), ({"x-goog-api-key": "wrong"}, 400, "INVALID_ARGUMENT", "API_KEY_INVALID")])
def test_missing_or_wrong_key_is_refused_as_google_does(gemini_upstream: FakeGemini, headers: dict[str, str],
                                                        status: int,
                                                        code: str, reason: str | None) -> None:
    response = post(gemini_upstream, "generateContent", HELLO, headers=headers)
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["status"]) == (status, status, code)
    assert [d["reason"] for d in error.get("details", [])] == ([reason] if reason else [])


@pytest.mark.parametrize(("status", "code"), [(429, "RESOURCE_EXHAUSTED"), (503, "UNAVAILABLE"), (500, "INTERNAL")])
def test_scripted_failures_are_google_shaped(gemini_upstream: FakeGemini, status: int, code: str) -> None:
    gemini_upstream.script(Behaviour(status=status, retry_after="2"))
    response = post(gemini_upstream, "generateContent", HELLO)
    assert (response.status_code, response.json()["error"]["status"], response.headers["retry-after"]) == (
        status, code, "2")


def test_mid_stream_error_and_dropped_connection(gemini_upstream: FakeGemini) -> None:
    gemini_upstream.script(Behaviour(error_after_chunks=1))
    events = sse_events(post(gemini_upstream, "streamGenerateContent?alt=sse", HELLO).content, 100_000)
    assert events[-1].json()["error"]["status"] == "UNAVAILABLE"
    gemini_upstream.script(Behaviour(fail_after_chunks=1))
    with pytest.raises(httpx.HTTPError):
        post(gemini_upstream, "streamGenerateContent?alt=sse", HELLO)


CALL = {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}, "thoughtSignature": "s"}]}
ANSWER = {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {"output": "ok"}}}]}
REFUSED = [
    ("an OpenAI parameter", {**HELLO, "temperature": 1}, "gemini-2.5-flash", 'Unknown name "temperature"'),
    ("an unknown generation setting", {**HELLO, "generationConfig": {"max_tokens": 5}}, "gemini-2.5-flash",
     'Unknown name "max_tokens"'),
    ("no contents", {"contents": []}, "gemini-2.5-flash", "contents is not specified"),
    ("an empty turn", {"contents": [{"role": "user", "parts": []}]}, "gemini-2.5-flash", "must not be empty"),
    ("an OpenAI role", {"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}, "gemini-2.5-flash",
     "valid role"),
    ("a part with two kinds of data", {"contents": [{"role": "user", "parts": [{"text": "x", "inlineData": {}}]}]},
     "gemini-2.5-flash", "oneof field 'data'"),
    ("inline data that is not base64", {"contents": [{"role": "user", "parts": [
        {"inlineData": {"mimeType": "image/png", "data": "@@"}}]}]}, "gemini-2.5-flash", "inline_data"),
    ("a function response that is not an object", {"contents": [HELLO["contents"][0], CALL, {"role": "user", "parts": [
        {"functionResponse": {"name": "f", "response": "ok"}}]}]}, "gemini-2.5-flash", "object response"),
    ("fewer responses than calls", {"contents": [HELLO["contents"][0], CALL, HELLO["contents"][0]]},
     "gemini-2.5-flash", "number of function response parts"),
    ("a Gemini 3 call replayed without its signature", {"contents": [
        HELLO["contents"][0], {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]}, ANSWER]},
     "gemini-3-pro-preview", "missing a thought_signature"),
    ("allowed names without mode ANY", {**HELLO, "tools": [{"functionDeclarations": [{"name": "f"}]}], "toolConfig": {
        "functionCallingConfig": {"mode": "AUTO", "allowedFunctionNames": ["f"]}}}, "gemini-2.5-flash",
     "only allowed when mode is ANY"),
]


@pytest.mark.parametrize(("body", "model", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_fake_refuses_what_gemini_refuses(gemini_upstream: FakeGemini, body: dict[str, Any], model: str,
                                          message: str) -> None:
    response = post(gemini_upstream, "generateContent", body, model=model)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and message in error["message"]


def test_a_complete_function_loop_is_accepted_on_gemini_3(gemini_upstream: FakeGemini) -> None:
    body = {"contents": [HELLO["contents"][0], CALL, ANSWER]}
    assert post(gemini_upstream, "generateContent", body, model="gemini-3-pro-preview").status_code == 200
