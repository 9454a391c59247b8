"""The chat request is checked at the edge: a bad field is a 400 naming its `param`, unknown fields pass."""

from typing import Any

import pytest

from tollway.errors import InvalidRequest
from tollway.wire.openai_chat import ChatCompletionRequest
from tollway.wire.validation import validate

OK: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"model": ""}, "model"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages.0.role"),
        ({"messages": [{"role": "user", "content": [{"text": "no type"}]}]}, "messages.0.content.0.type"),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": None}]}]}, "messages.0.content.0.text"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": 1}}]}]},
         "messages.0.content.0.image_url.url"),
        ({"messages": [{"role": "user", "content": [7]}]}, "messages.0.content.0"),
        ({"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "function": {"arguments": "{}"}}]}]},
         "messages.0.tool_calls.0.function.name"),
        ({"messages": [1]}, "messages.0"),
        ({"temperature": 3}, "temperature"),
        ({"top_p": -0.1}, "top_p"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": 10**30}, "max_tokens"),
        ({"seed": 2**63}, "seed"),
        ({"max_completion_tokens": "many"}, "max_completion_tokens"),
        ({"n": 17}, "n"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"stream": "yes please"}, "stream"),
        ({"tools": [{"type": "retrieval"}]}, "tools"),
        ({"tools": [{"type": "function", "function": {"description": "no name"}}]}, "tools"),
        ({"response_format": {"type": "yaml"}}, "response_format.type"),
        ({"response_format": {"type": "json_schema", "json_schema": "x"}}, "response_format.json_schema"),
        ({"tool_choice": {"type": "function", "function": "f"}}, "tool_choice.function"),
        ({"tools": [{"type": "function", "function": {"name": "f", "parameters": "x"}}]}, "tools"),
        ({"stream_options": {"include_usage": "maybe"}}, "stream_options.include_usage"),
    ],
)
def test_invalid_fields_are_a_400_naming_the_param(change: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate(ChatCompletionRequest, OK | change)
    assert caught.value.param == param
    assert caught.value.status == 400
    assert param in caught.value.message


def test_unknown_and_new_parameters_are_kept_for_the_upstream() -> None:
    request = validate(ChatCompletionRequest, OK | {"logit_bias": {"50256": -100}, "reasoning_effort": "low",
                                                   "metadata": {"team": "a"}})
    assert request.model_extra == {"logit_bias": {"50256": -100}, "reasoning_effort": "low", "metadata": {"team": "a"}}


def test_null_is_an_unset_parameter_as_in_openais_api() -> None:
    request = validate(ChatCompletionRequest, OK | {name: None for name in (
        "stream", "n", "max_tokens", "temperature", "top_p", "stop", "seed", "tools", "tool_choice",
        "response_format", "stream_options", "user", "parallel_tool_calls")})
    assert (request.stream, request.n, request.requested_max_tokens()) == (False, 1, None)


def test_max_completion_tokens_wins_over_the_legacy_name() -> None:
    request = validate(ChatCompletionRequest, OK | {"max_tokens": 50, "max_completion_tokens": 20})
    assert request.requested_max_tokens() == 20
