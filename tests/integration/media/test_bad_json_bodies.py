"""Bodies that used to be 500s are a 400 that names the problem, before anything is reserved: no
admission, no usage record, the balance as it was, the upstream never called. Null, as in OpenAI's
API, means "not set"."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.environment import changed_environment
from tests.integration.media.conftest import Caller

CLAUDE = "claude-sonnet-4-20250514"
UNLISTED_GPT = "gpt-5-unlisted-preview"  # served by name pattern: no catalog limit on max_tokens
UNLISTED_CLAUDE = "claude-unlisted-9"

# route → (path, a valid body, the dotted path of a text field in it)
ROUTES: dict[str, tuple[str, dict[str, Any], str]] = {
    "chat": ("/v1/chat/completions", {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
             "messages.0.content"),
    "messages": ("/v1/messages", {"model": CLAUDE, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]},
                 "messages.0.content"),
    "messages_to_gpt": ("/v1/messages", {"model": "gpt-4o-mini", "max_tokens": 16,
                                         "messages": [{"role": "user", "content": "hi"}]}, "messages.0.content"),
    "count_tokens": ("/v1/messages/count_tokens", {"model": CLAUDE, "messages": [{"role": "user", "content": "hi"}]},
                     "messages.0.content"),
    "embeddings": ("/v1/embeddings", {"model": "text-embedding-3-small", "input": "hi"}, "input"),
    "moderations": ("/v1/moderations", {"input": "hi"}, "input"),
    "rerank": ("/v1/rerank", {"model": "rerank-v3.5", "query": "hi", "documents": ["a", "b"]}, "query"),
    "images": ("/v1/images/generations", {"model": "gpt-image-1", "prompt": "a fox"}, "prompt"),
    "speech": ("/v1/audio/speech", {"model": "tts-1", "input": "hello"}, "input"),
}


def with_value(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target: Any = changed
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return changed


def post_raw(caller: Caller, path: str, raw: bytes) -> httpx.Response:
    return caller.post(path, content=raw, headers={"content-type": "application/json"})


def assert_refused_for_free(caller: Caller, response: httpx.Response, path: str, *, code: str,
                            param: str | None = None) -> None:
    """A 400 in the route's error shape, and nothing reserved, charged or recorded."""
    assert response.status_code == 400, response.text
    body = response.json()
    if path.startswith("/v1/messages"):
        assert set(body) <= {"type", "error", "request_id"} and body["type"] == "error", body
        assert body["error"]["type"] == "invalid_request_error" and isinstance(body["error"]["message"], str)
    else:
        assert set(body["error"]) == {"message", "type", "code", "param"}, body
        assert (body["error"]["type"], body["error"]["code"]) == ("invalid_request_error", code), body
        if param is not None:
            assert body["error"]["param"] == param, body
    assert response.headers.get("x-credits-used", "0") == "0"
    assert caller.balance() == 10 and caller.usage() == []


@pytest.fixture()
def quiet_upstreams(upstream, anthropic_upstream, gemini_upstream, media) -> Any:
    """Every fake upstream; a test checks at the end that none of them was called."""
    yield
    assert upstream.requests == [] and anthropic_upstream.requests == [] and gemini_upstream.requests == []
    assert media.requests == []


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_lone_surrogate_in_a_text_field_is_a_400_that_reserves_nothing(
        caller, quiet_upstreams, route: str) -> None:
    path, body, field = ROUTES[route]
    raw = json.dumps(with_value(body, field, "hi \ud800 there")).encode()  # ensure_ascii: the \ud800 escape
    assert b"\\ud800" in raw
    response = post_raw(caller, path, raw)
    assert_refused_for_free(caller, response, path, code="invalid_json", param=field)
    assert "surrogate" in (response.json()["error"]["message"])


@pytest.mark.parametrize("route", list(ROUTES))
def test_json_nested_five_thousand_deep_is_a_400_that_reserves_nothing(caller, quiet_upstreams, route: str) -> None:
    path, body, _ = ROUTES[route]
    raw = json.dumps(body).encode()[:-1] + b', "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = post_raw(caller, path, raw)
    assert_refused_for_free(caller, response, path, code="invalid_json")
    assert "deeper than 128" in response.json()["error"]["message"]


HUGE = int("9" * 131)

# (route, field, value): integers far out of range, on models no catalog limit stops first.
OUT_OF_RANGE = [
    ("chat", {"model": UNLISTED_GPT}, "max_tokens", HUGE),
    ("chat", {"model": UNLISTED_GPT}, "max_completion_tokens", HUGE),
    ("chat", {"model": UNLISTED_GPT}, "max_tokens", 10**18),  # fits in 64 bits, beyond any model
    ("chat", {}, "seed", HUGE),
    ("chat", {}, "top_logprobs", HUGE),
    ("chat", {"model": CLAUDE}, "top_k", HUGE),
    ("messages", {"model": UNLISTED_CLAUDE}, "max_tokens", HUGE),
    ("messages", {"model": UNLISTED_CLAUDE}, "max_tokens", 10**18),
    ("messages", {}, "top_k", HUGE),
    ("messages_to_gpt", {"model": UNLISTED_GPT}, "max_tokens", HUGE),
    ("embeddings", {}, "input", [HUGE]),
    ("rerank", {}, "top_n", HUGE),
]


@pytest.mark.parametrize(("route", "change", "field", "value"), OUT_OF_RANGE,
                         ids=[f"{c[0]}-{c[2]}-{len(str(c[3]))}digits" for c in OUT_OF_RANGE])
def test_an_integer_far_out_of_range_is_a_400_that_reserves_nothing(
        caller, quiet_upstreams, route: str, change: dict[str, Any], field: str, value: Any) -> None:
    path, body, _ = ROUTES[route]
    response = post_raw(caller, path, json.dumps(body | change | {field: value}).encode())
    expected_param = "input.0" if field == "input" else field
    assert_refused_for_free(caller, response, path, code="invalid_value", param=expected_param)


# (route, a body holding a number where an object belongs, the param named)
NUMBERS_IN_LISTS = [
    ("chat", {"messages": [1]}, "messages.0"),
    ("chat", {"messages": [{"role": "user", "content": [1]}]}, "messages.0.content.0"),
    ("messages", {"messages": [1]}, "messages.0"),
    ("messages_to_gpt", {"messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "content", "content": [1]}}]}]},
     "messages.0.content.0.source.content.0"),
    ("count_tokens", {"messages": [1]}, "messages.0"),
    ("count_tokens", {"model": "gpt-4o-mini", "messages": [1]}, "messages.0"),
]


@pytest.mark.parametrize(("route", "change", "param"), NUMBERS_IN_LISTS,
                         ids=[f"{c[0]}-{c[2]}" for c in NUMBERS_IN_LISTS])
def test_a_message_list_holding_a_number_is_a_400_that_reserves_nothing(
        caller, quiet_upstreams, route: str, change: dict[str, Any], param: str) -> None:
    path, body, _ = ROUTES[route]
    response = post_raw(caller, path, json.dumps(body | change).encode())
    assert_refused_for_free(caller, response, path, code="invalid_value", param=param)
    assert param in response.json()["error"]["message"]


NULLS = ["temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "stop", "seed", "tools", "tool_choice",
         "stream", "stream_options", "response_format", "user", "presence_penalty", "frequency_penalty", "logprobs",
         "parallel_tool_calls"]


@pytest.mark.parametrize("model", ["gpt-4o-mini", CLAUDE, "gemini-2.5-flash"])
def test_null_optional_parameters_mean_not_set_on_chat(caller, upstream, anthropic_upstream, gemini_upstream,
                                                       model: str) -> None:
    # This folder points Gemini at the media fake (embeddings); chat needs Gemini's chat fake.
    with changed_environment(GEMINI_API_KEY=gemini_upstream.api_key, GEMINI_BASE_URL=gemini_upstream.url):
        _null_parameters_on_chat(caller, model)


def _null_parameters_on_chat(caller: Caller, model: str) -> None:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]} | dict.fromkeys(NULLS)
    response = caller.post("/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["object"] == "chat.completion"


@pytest.mark.parametrize("model", [CLAUDE, "gpt-4o-mini"])
def test_null_optional_parameters_mean_not_set_on_messages(caller, upstream, anthropic_upstream, model: str) -> None:
    body = {"model": model, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]} | dict.fromkeys(
        ["temperature", "top_p", "top_k", "stop_sequences", "system", "tools", "tool_choice", "metadata", "stream"])
    response = caller.post("/v1/messages", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "message"


def test_a_multipart_field_that_decodes_to_a_lone_surrogate_is_a_400_that_reserves_nothing(
        caller, quiet_upstreams) -> None:
    from tests.fakes.media_samples import png

    boundary = "tollwayboundary"
    parts = [(b'name="prompt"', b"add a hat"), (b'name="model"', b"gpt-image-1"),
             (b'name="quality"', b"+2AA-"),  # utf-7 for a lone \ud800, in a field passed upstream as it is
             (b'name="image"; filename="cat.png"\r\nContent-Type: image/png', png(4, 4))]
    raw = b"".join(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; " + head + b"\r\n\r\n" + data
                   + b"\r\n" for head, data in parts) + b"--" + boundary.encode() + b"--\r\n"
    response = caller.post("/v1/images/edits", content=raw,
                           headers={"content-type": f"multipart/form-data; boundary={boundary}; charset=utf-7"})
    assert_refused_for_free(caller, response, "/v1/images/edits", code="invalid_multipart", param="quality")
