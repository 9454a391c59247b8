"""The /v1/messages request model: what it refuses (naming the param) and what it lets through."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.translation_cases import PNG, messages_body, user
from tollway.errors import InvalidRequest, ModelNotFound, RateLimited, TollwayError, UpstreamError, UpstreamTimeout
from tollway.wire.anthropic_messages import MessageCreateParams, error_body
from tollway.wire.validation import validate


def image(media_type: str) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": PNG}}


INVALID = [
    ("max_tokens missing", {"model": "m", "messages": [user("hi")]}, "max_tokens"),
    ("max_tokens zero", messages_body(user("hi"), max_tokens=0), "max_tokens"),
    ("no messages", messages_body(), "messages"),
    ("unknown role", messages_body({"role": "tool", "content": "x"}), "messages.0.role"),
    ("content of the wrong type", messages_body(user(5)), "messages.0.content"),
    ("text block without text", messages_body(user([{"type": "text"}])), "messages.0.content.0.text"),
    ("image of an unsupported type", messages_body(user([image("image/bmp")])),
     "messages.0.content.0.source.media_type"),
    ("tool_use without input", messages_body(user("a"), {"role": "assistant", "content": [
        {"type": "tool_use", "id": "t", "name": "f"}]}), "messages.1.content.0.input"),
    ("tool_result without id", messages_body(user([{"type": "tool_result"}])), "messages.0.content.0.tool_use_id"),
    ("temperature above 1", messages_body(user("hi"), temperature=1.5), "temperature"),
    ("top_p above 1", messages_body(user("hi"), top_p=2), "top_p"),
    ("negative top_k", messages_body(user("hi"), top_k=-1), "top_k"),
    ("system block without text", messages_body(user("hi"), system=[{"type": "text"}]), "system.0.text"),
    ("tool_choice of no known type", messages_body(user("hi"), tool_choice={"type": "some"}), "tool_choice"),
    ("named tool_choice without a name", messages_body(user("hi"), tool_choice={"type": "tool"}), "tool_choice.name"),
    ("tool without a name", messages_body(user("hi"), tools=[{"input_schema": {"type": "object"}}]), "tools.0.name"),
    ("stop_sequences not a list", messages_body(user("hi"), stop_sequences="END"), "stop_sequences"),
    ("stream not a boolean", messages_body(user("hi"), stream="yes"), "stream"),
]


@pytest.mark.parametrize(("body", "param"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_messages_request_is_a_400_naming_the_param(body: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        validate(MessageCreateParams, body)
    assert (refused.value.status, refused.value.param) == (400, param)
    assert refused.value.message.startswith(f"{param}: ")


def test_newer_parameters_and_block_types_pass_through() -> None:
    body = messages_body(
        user([{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}},
              {"type": "search_result", "source": "s", "title": "t", "content": []},
              {"type": "image", "source": {"type": "file", "file_id": "file_1"}}]),
        {"role": "system", "content": "mid-conversation"},
        tools=[{"type": "web_search_20250305", "name": "web_search"}],
        thinking={"type": "enabled", "budget_tokens": 2048}, service_tier="auto", brand_new_param=1)
    request = validate(MessageCreateParams, body)
    dumped = request.model_dump(exclude_unset=True)
    assert dumped["brand_new_param"] == 1 and dumped["service_tier"] == "auto"
    assert dumped["messages"][0]["content"][1]["type"] == "search_result"
    assert dumped == body
    assert request.thinking_enabled()


def test_thinking_is_off_unless_asked_for() -> None:
    assert not validate(MessageCreateParams, messages_body(user("hi"))).thinking_enabled()
    disabled = messages_body(user("hi"), thinking={"type": "disabled"})
    assert not validate(MessageCreateParams, disabled).thinking_enabled()


@pytest.mark.parametrize(("error", "type_"), [
    (InvalidRequest("messages: bad", param="messages"), "invalid_request_error"),
    (ModelNotFound("no such model"), "not_found_error"),
    (RateLimited("slow down"), "rate_limit_error"),
    (UpstreamError("upstream failed"), "api_error"),
    (UpstreamTimeout("too slow"), "timeout_error"),
])
def test_errors_are_anthropic_shaped(error: TollwayError, type_: str) -> None:
    assert error_body(error, "req_1") == {"type": "error", "error": {"type": type_, "message": error.message},
                                          "request_id": "req_1"}
