"""The real `anthropic` SDK — sync, async, the messages.stream() helper, tools, count_tokens — works
unchanged against the gateway, for a Claude model (native) and for a GPT model (translated)."""

import asyncio

import anthropic
import pytest

from tests.fakes.openai_upstream import Behaviour as OpenAIBehaviour
from tests.fakes.scripted import Behaviour, Reply, ToolCall

CLAUDE = "claude-sonnet-4-20250514"
MODELS = [CLAUDE, "gpt-4o-mini"]
WEATHER = {"name": "get_weather", "description": "Weather for a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def sdk(served, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=served.url, api_key=key, max_retries=0)


def script_tool_call(model: str, upstream, anthropic_upstream) -> None:
    reply = Reply(text="Let me check.", tool_calls=[ToolCall("get_weather", {"city": "Paris"}, "toolu_paris")])
    if model == CLAUDE:
        anthropic_upstream.script(Behaviour(reply=reply))
    else:
        upstream.script(OpenAIBehaviour(reply=reply))


@pytest.mark.parametrize("model", MODELS)
def test_sync_create_returns_a_typed_message(served, model: str) -> None:
    key = served.create_key(credits=100)["key"]
    raw = sdk(served, key).messages.with_raw_response.create(
        model=model, max_tokens=64, system="be brief", messages=[{"role": "user", "content": "bonjour tout le monde"}])
    message = raw.parse()
    assert isinstance(message, anthropic.types.Message)
    assert message.content[0].type == "text" and message.content[0].text == "bonjour tout le monde"
    assert message.stop_reason == "end_turn" and message.usage.output_tokens == 4
    assert raw.headers["x-model-used"] == model and float(raw.headers["x-credits-used"]) > 0


@pytest.mark.parametrize("model", MODELS)
def test_async_create(served, model: str) -> None:
    key = served.create_key(credits=100)["key"]

    async def run() -> str:
        async with anthropic.AsyncAnthropic(base_url=served.url, api_key=key, max_retries=0) as client:
            message = await client.messages.create(model=model, max_tokens=32,
                                                   messages=[{"role": "user", "content": "async works"}])
            return message.content[0].text

    assert asyncio.run(run()) == "async works"


@pytest.mark.parametrize("model", MODELS)
def test_the_stream_helper_yields_text_and_the_final_message(served, model: str) -> None:
    key = served.create_key(credits=100)["key"]
    with sdk(served, key).messages.stream(model=model, max_tokens=64,
                                          messages=[{"role": "user", "content": "stream these five words"}]) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(pieces) == "stream these five words" and len(pieces) >= 2
    assert final.content[0].text == "stream these five words" and final.stop_reason == "end_turn"
    assert final.usage.output_tokens >= 4


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("streaming", [False, True])
def test_tools_round_trip(served, upstream, anthropic_upstream, model: str, streaming: bool) -> None:
    key = served.create_key(credits=100)["key"]
    client = sdk(served, key)
    script_tool_call(model, upstream, anthropic_upstream)
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    if streaming:
        with client.messages.stream(model=model, max_tokens=100, tools=[WEATHER], messages=ask) as stream:
            message = stream.get_final_message()
    else:
        message = client.messages.create(model=model, max_tokens=100, tools=[WEATHER], messages=ask)
    tool_use = [b for b in message.content if b.type == "tool_use"]
    assert message.stop_reason == "tool_use" and len(tool_use) == 1
    assert tool_use[0].id == "toolu_paris" and tool_use[0].name == "get_weather" and tool_use[0].input == {"city": "Paris"}
    followup = client.messages.create(model=model, max_tokens=100, tools=[WEATHER], messages=[
        *ask, {"role": "assistant", "content": [b.model_dump() for b in message.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_paris", "content": "18 C, clear"}]}])
    assert followup.stop_reason == "end_turn"


def test_count_tokens(served) -> None:
    key = served.create_key(credits=1)["key"]
    counted = sdk(served, key).messages.count_tokens(model=CLAUDE, messages=[{"role": "user", "content": "hi there"}])
    assert counted.input_tokens > 0


def test_error_classes_map(served, anthropic_upstream) -> None:
    good = served.create_key(credits=100)["key"]
    with pytest.raises(anthropic.AuthenticationError):
        sdk(served, "sk-tw-0123456789abcdef" + "x" * 43).messages.create(
            model=CLAUDE, max_tokens=5, messages=[{"role": "user", "content": "x"}])
    with pytest.raises(anthropic.NotFoundError):
        sdk(served, good).messages.create(model="nope", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    with pytest.raises(anthropic.BadRequestError) as bad:
        sdk(served, good).messages.create(model=CLAUDE, max_tokens=5, extra_body={"temperature": 1.5},
                                          messages=[{"role": "user", "content": "x"}])
    assert "temperature" in str(bad.value)
    poor = served.create_key(credits=0)["key"]
    with pytest.raises(anthropic.APIStatusError) as unpaid:
        sdk(served, poor).messages.create(model=CLAUDE, max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert unpaid.value.status_code == 402 and unpaid.value.body["error"]["type"] == "billing_error"
    anthropic_upstream.script(Behaviour(status=529))
    with pytest.raises(anthropic.InternalServerError) as failed:
        sdk(served, good).messages.create(model=CLAUDE, max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert failed.value.status_code == 502
