"""The real `openai` SDK, sync and async, streaming and not, works unchanged against the gateway,
and its error classes map to what the gateway answers."""

import asyncio
import time
from decimal import Decimal

import openai
import pytest
from openai import AsyncOpenAI, OpenAI

from tests.conftest import fresh_rate_window
from tests.fakes.openai_upstream import PROMPT_TOKENS, Behaviour

MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "red green blue"}]


def client(served, key: str, **kw) -> OpenAI:
    return OpenAI(base_url=served.url + "/v1", api_key=key, max_retries=0, **kw)


def test_sync_chat_returns_a_typed_completion_with_gateway_headers(served, upstream) -> None:
    key = served.create_key(credits=1)
    raw = client(served, key["key"]).chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=MESSAGES, temperature=0.2, seed=3)
    completion = raw.parse()
    assert completion.choices[0].message.content == "red green blue"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens == PROMPT_TOKENS and completion.usage.completion_tokens == 3
    assert Decimal(raw.headers["x-credits-used"]) == (PROMPT_TOKENS + 3) * Decimal("0.0008")
    assert raw.headers["x-model-used"] == "gpt-4o-mini" and raw.headers["x-request-id"].startswith("req_")
    assert raw.headers["x-ratelimit-remaining-requests"] == "59"
    assert upstream.requests[-1].body["temperature"] == 0.2 and upstream.requests[-1].body["seed"] == 3


def test_sync_stream_yields_typed_chunks_and_the_usage_chunk(served) -> None:
    key = served.create_key(credits=1)
    stream = client(served, key["key"]).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "red green blue"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 3
    assert Decimal(str(chunks[-1].usage.model_extra["cost"])) == (PROMPT_TOKENS + 3) * Decimal("0.0008")


def test_async_chat_and_stream(served) -> None:
    key = served.create_key(credits=1)

    async def run() -> tuple[str, str]:
        async with AsyncOpenAI(base_url=served.url + "/v1", api_key=key["key"], max_retries=0) as aclient:
            completion = await aclient.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
            stream = await aclient.chat.completions.create(model="local/echo", messages=MESSAGES, stream=True)
            streamed = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
            return completion.choices[0].message.content or "", streamed

    assert asyncio.run(run()) == ("red green blue", "red green blue")


def test_models_list_through_the_sdk(served) -> None:
    key = served.create_key(credits=1)
    sdk = client(served, key["key"])
    ids = {m.id for m in sdk.models.list()}
    assert {"gpt-4o-mini", "local/echo"} <= ids
    echo = sdk.models.retrieve("local/echo")
    assert echo.id == "local/echo" and echo.owned_by == "local" and echo.model_extra["provider"] == "local"
    with pytest.raises(openai.NotFoundError):
        sdk.models.retrieve("no-such-model")


def test_the_stream_reaches_the_client_before_the_upstream_has_finished(served, upstream) -> None:
    key = served.create_key(credits=1)
    upstream.script(Behaviour(chunk_delay_s=0.3))
    stream = client(served, key["key"]).chat.completions.create(
        model="gpt-4o-mini", stream=True, messages=[{"role": "user", "content": "a b c d e"}])
    first_content_at = None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content and first_content_at is None:
            first_content_at = time.monotonic()
    assert first_content_at is not None
    assert len(upstream.chunks_sent_at) == 5
    # The last word left the upstream 1.2 s after the first; the client had the first long before.
    assert first_content_at < upstream.chunks_sent_at[-1] - 0.5


def test_error_classes_map_to_the_gateway_answers(served, upstream) -> None:
    good = served.create_key(credits=1)
    with pytest.raises(openai.AuthenticationError) as caught:
        client(served, "sk-tw-0123456789abcdef" + "x" * 43).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert caught.value.code == "invalid_api_key"

    read_only = served.create_key(credits=1, scopes=["ai:read"])
    with pytest.raises(openai.PermissionDeniedError):
        client(served, read_only["key"]).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    with pytest.raises(openai.NotFoundError) as missing:
        client(served, good["key"]).chat.completions.create(model="no-such-model", messages=MESSAGES)
    assert missing.value.code == "model_not_found" and missing.value.param == "model"

    with pytest.raises(openai.BadRequestError) as bad:
        client(served, good["key"]).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, temperature=5)
    assert bad.value.param == "temperature"

    broke = served.create_key(credits=0)
    with pytest.raises(openai.APIStatusError) as unpaid:
        client(served, broke["key"]).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert unpaid.value.status_code == 402 and unpaid.value.code == "insufficient_credits"

    upstream.script(Behaviour(status=500))
    with pytest.raises(openai.InternalServerError) as failed:
        client(served, good["key"]).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert failed.value.status_code == 502 and "sk-upstream-secret" not in str(failed.value.body)


def test_rate_limit_is_a_rate_limit_error(served) -> None:
    key = served.create_key(credits=1, rpm=30)
    sdk = client(served, key["key"])
    outcomes = []
    fresh_rate_window()
    for _ in range(31):
        try:
            sdk.chat.completions.create(model="local/echo", messages=[{"role": "user", "content": "x"}])
            outcomes.append("ok")
        except openai.RateLimitError as exc:
            outcomes.append(exc.response.headers["retry-after"])
    assert outcomes[:30] == ["ok"] * 30 and 1 <= int(outcomes[30]) <= 60
