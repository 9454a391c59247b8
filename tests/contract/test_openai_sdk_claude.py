"""The real `openai` SDK against a Claude model: tools, streamed tool calls, vision, structured output."""

import base64
import json

from openai import OpenAI
from pydantic import BaseModel

from tests.fakes.scripted import Behaviour, Reply, ToolCall

CLAUDE = "claude-sonnet-4-20250514"
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def client(served) -> OpenAI:
    return OpenAI(base_url=served.url + "/v1", api_key=served.create_key(credits=100)["key"], max_retries=0)


def test_tool_calls_parallel_and_typed(served, anthropic_upstream) -> None:
    anthropic_upstream.script(Behaviour(reply=Reply(tool_calls=[ToolCall("get_weather", {"city": "Oslo"}, "toolu_a"),
                                                                ToolCall("get_weather", {"city": "Lima"}, "toolu_b")])))
    completion = client(served).chat.completions.create(
        model=CLAUDE, tools=TOOLS, messages=[{"role": "user", "content": "Oslo and Lima weather?"}])
    calls = completion.choices[0].message.tool_calls
    assert completion.choices[0].finish_reason == "tool_calls"
    assert [(c.id, c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("toolu_a", "get_weather", {"city": "Oslo"}), ("toolu_b", "get_weather", {"city": "Lima"})]


def test_streamed_tool_call_arguments_accumulate_into_json(served, anthropic_upstream) -> None:
    anthropic_upstream.script(Behaviour(argument_piece=3, reply=Reply(
        tool_calls=[ToolCall("get_weather", {"city": "São Paulo"}, "toolu_s")])))
    with client(served).chat.completions.stream(
            model=CLAUDE, tools=TOOLS, messages=[{"role": "user", "content": "weather?"}]) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    (call,) = final.choices[0].message.tool_calls
    assert call.id == "toolu_s" and json.loads(call.function.arguments) == {"city": "São Paulo"}


def test_vision_with_a_data_uri(served, anthropic_upstream) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40).decode()
    completion = client(served).chat.completions.create(model=CLAUDE, messages=[{"role": "user", "content": [
        {"type": "text", "text": "describe"}, {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}}]}])
    assert completion.choices[0].message.content == "describe"
    sent = anthropic_upstream.requests[-1].body["messages"][0]["content"][1]
    assert sent["source"] == {"type": "base64", "media_type": "image/png", "data": png}


class Forecast(BaseModel):
    city: str
    celsius: int


def test_structured_output_parses_into_the_pydantic_model(served, anthropic_upstream) -> None:
    anthropic_upstream.script(Behaviour(reply=Reply(tool_calls=[ToolCall("Forecast", {"city": "Oslo", "celsius": -3})])))
    completion = client(served).chat.completions.parse(model=CLAUDE, response_format=Forecast,
                                                       messages=[{"role": "user", "content": "Oslo forecast"}])
    assert completion.choices[0].message.parsed == Forecast(city="Oslo", celsius=-3)


def test_json_object_mode(served, anthropic_upstream) -> None:
    anthropic_upstream.script(Behaviour(reply=Reply(text='{"ok": true}')))
    completion = client(served).chat.completions.create(model=CLAUDE, response_format={"type": "json_object"},
                                                        messages=[{"role": "user", "content": "json please"}])
    assert json.loads(completion.choices[0].message.content) == {"ok": True}
    system = anthropic_upstream.requests[-1].body["system"]
    assert "JSON" in system[-1]["text"]
