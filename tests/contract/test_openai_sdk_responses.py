"""The real `openai` SDK's Responses API (`client.responses.create/stream/parse`) against every kind
of model the gateway serves: OpenAI's own (passed through), Claude and Gemini (translated from their
formats), an OpenAI-compatible server (DeepSeek's API, translated from chat) and the offline local/echo."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from openai import BadRequestError, OpenAI
from pydantic import BaseModel

from tests.fakes.scripted import PROMPT_TOKENS, Behaviour, Reply, ToolCall

CLAUDE, GEMINI, OPENAI_MODEL, COMPATIBLE = ("claude-sonnet-4-20250514", "gemini-2.5-flash", "gpt-4o-mini",
                                            "deepseek-v4-flash")
MODELS = [OPENAI_MODEL, CLAUDE, GEMINI, COMPATIBLE, "local/echo"]
WEATHER = {"type": "function", "name": "get_weather", "description": "The weather in a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def client(served, credits: float = 100) -> tuple[OpenAI, dict]:
    key = served.create_key(credits=credits)
    return OpenAI(base_url=served.url + "/v1", api_key=key["key"], max_retries=0), key


@pytest.mark.parametrize("model", MODELS)
def test_responses_create_answers_with_output_text_and_usage(served, model) -> None:
    openai, _ = client(served)
    response = openai.responses.create(model=model, instructions="Be brief.", input="three little words")
    assert response.object == "response" and response.status == "completed"
    assert response.output_text == "three little words"
    assert response.usage.output_tokens == 3 and response.usage.input_tokens > 0
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens


@pytest.mark.parametrize("model", MODELS)
def test_responses_stream_speaks_the_event_stream_and_ends_with_usage(served, model) -> None:
    openai, key = client(served)
    with openai.responses.stream(model=model, input=[{"role": "user", "content": "streamed words arrive"}]) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    for kind in ("response.created", "response.in_progress", "response.output_item.added",
                 "response.content_part.added", "response.output_text.delta", "response.output_text.done",
                 "response.content_part.done", "response.output_item.done", "response.completed"):
        assert kind in kinds, (kind, kinds)
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert kinds.count("response.output_text.delta") == 3
    assert final.output_text == "streamed words arrive"
    assert final.usage is not None and final.usage.output_tokens == 3
    cost = Decimal(str(final.usage.model_extra["cost"]))
    assert served.balance(key["id"]) == Decimal(100) - cost > 0


@pytest.mark.parametrize("model", [OPENAI_MODEL, CLAUDE, COMPATIBLE])
def test_function_calls_come_back_as_function_call_items(served, upstream, anthropic_upstream, model) -> None:
    fake = anthropic_upstream if model == CLAUDE else upstream
    fake.script(Behaviour(reply=Reply(tool_calls=[ToolCall("get_weather", {"city": "Oslo"}, "call_oslo")])))
    openai, _ = client(served)
    with openai.responses.stream(model=model, tools=[WEATHER], input="weather in Oslo?") as stream:
        for _ in stream:
            pass
        final = stream.get_final_response()
    (call,) = [item for item in final.output if item.type == "function_call"]
    assert (call.call_id, call.name, json.loads(call.arguments)) == ("call_oslo", "get_weather", {"city": "Oslo"})


def test_a_tool_result_goes_back_to_claude_as_a_tool_result(served, anthropic_upstream) -> None:
    openai, _ = client(served)
    response = openai.responses.create(model=CLAUDE, tools=[WEATHER], input=[
        {"role": "user", "content": "weather in Oslo?"},
        {"type": "function_call", "call_id": "toolu_1", "name": "get_weather", "arguments": '{"city": "Oslo"}'},
        {"type": "function_call_output", "call_id": "toolu_1", "output": "-3 C and snow"},
        {"role": "user", "content": "so?"}])
    assert response.output_text == "so?"
    sent = anthropic_upstream.requests[-1].body["messages"]
    assert sent[1]["content"][0] == {"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                     "input": {"city": "Oslo"}}
    assert sent[2]["content"][0]["type"] == "tool_result" and sent[2]["content"][0]["tool_use_id"] == "toolu_1"


class Forecast(BaseModel):
    city: str
    celsius: int


@pytest.mark.parametrize("model", [CLAUDE, OPENAI_MODEL])
def test_structured_output_parses_into_the_pydantic_model(served, upstream, anthropic_upstream, model) -> None:
    answer = {"city": "Oslo", "celsius": -3}
    if model == CLAUDE:
        anthropic_upstream.script(Behaviour(reply=Reply(tool_calls=[ToolCall("Forecast", answer)])))
    else:
        upstream.script(Behaviour(reply=Reply(text=json.dumps(answer))))
    openai, _ = client(served)
    parsed = openai.responses.parse(model=model, input="Oslo forecast", text_format=Forecast)
    assert parsed.output_parsed == Forecast(city="Oslo", celsius=-3)
    if model == OPENAI_MODEL:  # passed through: OpenAI itself gets text.format
        assert upstream.requests[-1].body["text"]["format"]["type"] == "json_schema"


def test_an_image_input_reaches_a_model_that_can_see(served, anthropic_upstream) -> None:
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
    openai, _ = client(served)
    response = openai.responses.create(model=CLAUDE, input=[{"role": "user", "content": [
        {"type": "input_text", "text": "describe"},
        {"type": "input_image", "image_url": f"data:image/png;base64,{png}"}]}])
    assert response.output_text == "describe"
    sent = anthropic_upstream.requests[-1].body["messages"][0]["content"][1]
    assert sent["source"] == {"type": "base64", "media_type": "image/png", "data": png}


def test_an_openai_model_gets_the_request_as_sent_and_its_usage_is_charged(served, upstream) -> None:
    openai, key = client(served)
    response = openai.responses.create(model=OPENAI_MODEL, input="pass me through", max_output_tokens=50,
                                       temperature=0.3)
    sent = upstream.requests[-1]
    assert sent.path == "/v1/responses"
    assert sent.body["input"] == "pass me through" and sent.body["max_output_tokens"] == 50
    assert sent.body["temperature"] == 0.3 and "quality" not in sent.body
    assert response.usage.input_tokens == PROMPT_TOKENS
    charged = Decimal(100) - served.balance(key["id"])
    assert charged == Decimal("0.0008") * (PROMPT_TOKENS + 3)


@pytest.mark.parametrize("field, value", [("temperature", 2.5), ("max_output_tokens", 0),
                                          ("max_output_tokens", 8193)])
def test_out_of_range_settings_are_refused_before_anything_is_charged(served, field, value) -> None:
    openai, key = client(served)
    with pytest.raises(BadRequestError) as refused:
        openai.responses.create(model=CLAUDE, input="hi", **{field: value})
    assert refused.value.body["param"] == field
    assert served.balance(key["id"]) == Decimal(100)


def test_an_openai_model_gets_messages_and_response_format_in_its_own_names(served, upstream) -> None:
    openai, _ = client(served)
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    openai.responses.create(model=OPENAI_MODEL, input="last", extra_body={
        "messages": [{"role": "system", "content": "be terse"}, {"role": "user", "content": [
            {"type": "text", "text": "first"}]}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "A", "schema": schema}}})
    sent = upstream.requests[-1].body
    assert "messages" not in sent and "response_format" not in sent and sent["store"] is False
    assert sent["input"] == [{"role": "system", "content": "be terse"},
                             {"role": "user", "content": [{"type": "input_text", "text": "first"}]},
                             {"role": "user", "content": "last"}]
    assert sent["text"]["format"] == {"type": "json_schema", "name": "A", "schema": schema}


@pytest.mark.parametrize("model", [CLAUDE, "local/echo"])
def test_responses_with_async_become_an_operation_whose_result_is_the_response(served, model) -> None:
    import time

    import httpx
    from openai.types.responses import Response

    openai, key = client(served)
    started = openai.responses.with_raw_response.create(model=model, input="answered while polled",
                                                        extra_body={"async": True})
    operation = started.http_response.json()
    assert started.http_response.status_code == 202 and operation["kind"] == "responses", operation
    deadline = time.monotonic() + 60
    while operation["status"] not in ("succeeded", "failed", "cancelled") and time.monotonic() < deadline:
        time.sleep(0.2)
        operation = openai.get(f"/operations/{operation['id']}", cast_to=object)
    assert operation["status"] == "succeeded", operation
    response = Response.model_validate(httpx.get(operation["result"]["url"]).json())
    assert response.object == "response" and response.status == "completed"
    assert response.output_text == "answered while polled"
    cost = Decimal(str(operation["credits_used"]))
    assert cost > 0 and served.balance(key["id"]) == Decimal(100) - cost


def test_an_async_response_refuses_a_stream_and_reserves_nothing(served) -> None:
    openai, key = client(served)
    with pytest.raises(BadRequestError) as refused:
        openai.responses.create(model=CLAUDE, input="hi", stream=True, extra_body={"async": True})
    assert refused.value.body["param"] == "stream"
    assert served.balance(key["id"]) == 100
