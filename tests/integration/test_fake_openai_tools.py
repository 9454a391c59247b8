"""The fake OpenAI upstream's scripted tool-call replies, read by the real openai SDK."""

from __future__ import annotations

import json

import openai
import pytest

from tests.fakes.openai_upstream import PROMPT_TOKENS, Behaviour, FakeOpenAI, Reply, TokenUsage, ToolCall

CALLS = [ToolCall("weather", {"city": "Zürich", "days": 3}, "call_w"), ToolCall("time", {})]


@pytest.fixture()
def client(upstream: FakeOpenAI) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test", base_url=upstream.base_url, max_retries=0, timeout=10)


def test_sdk_reads_scripted_tool_calls_finish_reason_and_cached_usage(upstream: FakeOpenAI,
                                                                     client: openai.OpenAI) -> None:
    upstream.script(Behaviour(reply=Reply(text="checking", tool_calls=CALLS,
                                      usage=TokenUsage(input_tokens=5, output_tokens=9, cache_read=100))))
    completion = client.chat.completions.create(model="gpt-x", messages=[{"role": "user", "content": "go"}])
    message = completion.choices[0].message
    assert message.content == "checking"
    assert [(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or ()] == [
        ("call_w", "weather", {"city": "Zürich", "days": 3}), ("call_fake1", "time", {})]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (105, 9)
    assert completion.usage.prompt_tokens_details.cached_tokens == 100  # type: ignore[union-attr]


def test_sdk_stream_joins_argument_deltas_split_across_chunks(upstream: FakeOpenAI, client: openai.OpenAI) -> None:
    upstream.script(Behaviour(reply=Reply(tool_calls=CALLS, stop="tool_calls"), argument_piece=4))
    stream = client.chat.completions.create(model="gpt-x", messages=[{"role": "user", "content": "go"}], stream=True,
                                            stream_options={"include_usage": True})
    arguments: dict[int, list[str]] = {}
    names, finish, usage = {}, None, None
    for chunk in stream:
        usage = chunk.usage or usage
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for call in choice.delta.tool_calls or ():
                if call.function and call.function.name:
                    names[call.index] = (call.id, call.function.name)
                arguments.setdefault(call.index, []).append((call.function and call.function.arguments) or "")
    assert names == {0: ("call_w", "weather"), 1: ("call_fake1", "time")}
    assert len([a for a in arguments[0] if a]) > 3  # really split
    assert json.loads("".join(arguments[0])) == {"city": "Zürich", "days": 3}
    assert json.loads("".join(arguments[1])) == {}
    assert finish == "tool_calls"
    assert usage is not None and usage.prompt_tokens == PROMPT_TOKENS


def test_default_reply_is_unchanged_by_the_scripting(upstream: FakeOpenAI, client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="gpt-x", max_tokens=2,
                                                messages=[{"role": "user", "content": "one two three"}])
    assert completion.choices[0].message.content == "one two"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens == 2
    assert completion.choices[0].message.tool_calls is None
