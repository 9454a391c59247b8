"""Random hostile JSON in every field of every JSON route: never a 5xx, and a refusal costs nothing.

Each example takes a valid body for the route, puts one to three hostile values (wrong types, nulls,
huge integers, deep nesting, lone surrogates, any Unicode) at fields of it, posts the bytes to the
in-process gateway (fake upstreams behind it) and checks: the status is below 500, and a 4xx left
the balance as it was and wrote no usage record that charged anything.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.environment import changed_environment
from tests.integration.media.conftest import Caller

CLAUDE = "claude-sonnet-4-20250514"
CHAT_MODELS = ["gpt-4o-mini", CLAUDE, "gemini-2.5-flash", "gpt-5-unlisted-preview", "auto", "local/echo"]

# route → (path, a valid body, the fields worth attacking (dotted paths into the body), models to try)
ROUTES: dict[str, tuple[str, dict[str, Any], list[str], list[str]]] = {
    "chat": ("/v1/chat/completions",
             {"model": "gpt-4o-mini", "max_tokens": 16, "messages": [
                 {"role": "system", "content": "be brief"},
                 {"role": "user", "content": [{"type": "text", "text": "hi"}]},
                 {"role": "assistant", "content": None, "tool_calls": [
                     {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                 {"role": "tool", "tool_call_id": "call_1", "content": "42"}],
              "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]},
             ["model", "messages", "messages.0", "messages.0.role", "messages.0.content", "messages.1.content",
              "messages.1.content.0", "messages.1.content.0.text", "messages.1.content.0.type", "messages.1.name",
              "messages.2.tool_calls", "messages.2.tool_calls.0", "messages.2.tool_calls.0.function",
              "messages.2.tool_calls.0.function.arguments", "messages.2.tool_calls.0.id", "messages.3.content",
              "messages.3.tool_call_id", "max_tokens", "max_completion_tokens", "n", "temperature", "top_p",
              "presence_penalty", "frequency_penalty", "stop", "seed", "user", "tools", "tools.0",
              "tools.0.function", "tools.0.function.name", "tools.0.function.parameters", "tool_choice",
              "response_format", "stream", "stream_options", "models", "fallbacks", "logit_bias", "logprobs",
              "top_logprobs", "reasoning_effort", "modalities", "metadata", "parallel_tool_calls"],
             CHAT_MODELS),
    "messages": ("/v1/messages",
                 {"model": CLAUDE, "max_tokens": 16, "system": "be brief", "messages": [
                     {"role": "user", "content": [{"type": "text", "text": "hi"}]},
                     {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "42"}]}],
                  "tools": [{"name": "f", "input_schema": {"type": "object"}}]},
                 ["model", "max_tokens", "system", "messages", "messages.0", "messages.0.role", "messages.0.content",
                  "messages.0.content.0", "messages.0.content.0.text", "messages.0.content.0.type",
                  "messages.1.content.0", "messages.1.content.0.input", "messages.1.content.0.name",
                  "messages.2.content.0.content", "messages.2.content.0.tool_use_id", "stop_sequences",
                  "temperature", "top_p", "top_k", "tools", "tools.0", "tools.0.input_schema", "tools.0.name",
                  "tool_choice", "metadata", "stream", "thinking", "models", "fallbacks"],
                 CHAT_MODELS),
    "count_tokens": ("/v1/messages/count_tokens",
                     {"model": CLAUDE, "system": "be brief", "messages": [
                         {"role": "user", "content": [{"type": "text", "text": "hi"}]}],
                      "tools": [{"name": "f", "input_schema": {"type": "object"}}]},
                     ["model", "system", "messages", "messages.0", "messages.0.role", "messages.0.content",
                      "messages.0.content.0", "messages.0.content.0.text", "tools", "tools.0", "tool_choice"],
                     [CLAUDE, "gpt-4o-mini"]),
    "embeddings": ("/v1/embeddings", {"model": "text-embedding-3-small", "input": ["hi", "there"]},
                   ["model", "input", "input.0", "dimensions", "encoding_format", "user"],
                   ["text-embedding-3-small", "text-embedding-004"]),
    "moderations": ("/v1/moderations", {"model": "omni-moderation-latest", "input": ["hi"]},
                    ["model", "input", "input.0"], ["omni-moderation-latest"]),
    "rerank": ("/v1/rerank", {"model": "rerank-v3.5", "query": "capital", "documents": ["Paris", {"text": "Rome"}]},
               ["model", "query", "documents", "documents.0", "documents.1", "documents.1.text", "top_n",
                "return_documents"], ["rerank-v3.5", "rerank-2"]),
    "images": ("/v1/images/generations", {"model": "gpt-image-1", "prompt": "a fox", "n": 1},
               ["model", "prompt", "n", "size", "response_format", "quality", "user"], ["gpt-image-1", "dall-e-3"]),
    "speech": ("/v1/audio/speech", {"model": "tts-1", "input": "hello", "voice": "alloy"},
               ["model", "input", "voice", "response_format", "speed", "instructions"], ["tts-1"]),
}

SURROGATES = st.sampled_from(["\ud800", "\udfff", "a\udc00b", "\udbff\ud800", "x" * 10 + "\ud83d"])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63 - 5, max_value=10**140),
    st.integers(min_value=-(10**140), max_value=-(2**63) + 5), st.floats(), st.text(max_size=20), SURROGATES,
    st.sampled_from(["", "text", "image_url", "file", "function", "tool_use", "json_schema", "auto", "none",
                     "user", "assistant", "tool", "data:image/png;base64,AAAA", "file-000000000000000000000000"]))
NESTED = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["type", "text", "content", "role", "name", "source",
                                                         "function", "file", "image_url", "url", "arguments",
                                                         "data", "input", "id"]) | st.text(max_size=4),
                                        inner, max_size=3), max_leaves=8)
DEEP = st.integers(min_value=1, max_value=300).map(lambda depth: json.loads("[" * depth + "]" * depth))
HOSTILE = st.one_of(SCALARS, NESTED, DEEP)
DELETE = object()


def _put(body: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = body
    for part in parents:
        if isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        elif isinstance(target, dict) and part in target:
            target = target[part]
        else:
            return  # an earlier mutation replaced this branch
    if isinstance(target, dict):
        if value is DELETE:
            target.pop(last, None)
        else:
            target[last] = value
    elif isinstance(target, list) and last.isdigit() and int(last) < len(target) and value is not DELETE:
        target[int(last)] = value


@st.composite
def hostile_bodies(draw: st.DrawFn, route: str) -> bytes:
    _, base, fields, models = ROUTES[route]
    body = json.loads(json.dumps(base))
    body["model"] = draw(st.sampled_from(models))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        field = draw(st.sampled_from(fields))
        _put(body, field, draw(HOSTILE | st.just(DELETE)))
    return json.dumps(body, ensure_ascii=draw(st.booleans()), allow_nan=True).encode("utf-8", "surrogatepass")


def _charged(caller: Caller) -> int:
    return sum(1 for r in caller.usage() if r.get("credits_micro", 0) > 0)


def _settled(caller: Caller, request_id: str) -> None:
    """Wait until the answered request's usage record is written (a stream settles as it closes)."""
    deadline = time.monotonic() + 5
    while not any(str(r.get("request_id", "")).startswith(request_id) for r in caller.usage()):
        assert time.monotonic() < deadline, f"no usage record for {request_id}"
        time.sleep(0.02)


@pytest.fixture()
def gemini_chat(gemini_upstream: Any) -> Iterator[None]:
    """This folder points Gemini at the media fake (embeddings); chat needs Gemini's chat fake."""
    with changed_environment(GEMINI_API_KEY=gemini_upstream.api_key, GEMINI_BASE_URL=gemini_upstream.url):
        yield


@pytest.mark.parametrize("route", list(ROUTES))
def test_hostile_json_in_any_field_is_never_a_server_error_and_a_refusal_costs_nothing(
        request: pytest.FixtureRequest, make_caller, upstream, anthropic_upstream, media, route: str) -> None:
    if CHAT_MODELS == ROUTES[route][3]:
        request.getfixturevalue("gemini_chat")
    caller = make_caller(credits=1000, rpm=400)
    path = ROUTES[route][0]
    before = {"balance": caller.balance(), "charged": _charged(caller)}

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(raw=hostile_bodies(route))
    def attack(raw: bytes) -> None:
        response = caller.post(path, content=raw, headers={"content-type": "application/json"})
        said = (response.status_code, response.text[:300], raw[:300])
        assert response.status_code < 500, said
        if 400 <= response.status_code < 500:
            assert (caller.balance(), _charged(caller)) == (before["balance"], before["charged"]), said
        else:
            if route != "count_tokens":  # free and unrecorded
                _settled(caller, response.headers["x-request-id"])
            before.update(balance=caller.balance(), charged=_charged(caller))

    attack()
