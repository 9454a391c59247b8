"""The README's curl examples of the native Inference API, sent as written (plus the key) to a real
`tollway serve`: the envelope, the fields and the charge of each route; a provider registered
through the API answers through a fake upstream on 127.0.0.1 without a restart, and its models 404
once it is deleted; usage totals equal what the requests were charged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.fakes.media_samples import mp3
from tests.fakes.media_upstreams import FakeMedia
from tests.fakes.openai_upstream import FakeOpenAI
from tests.served import ServedGateway

API = "/api/v1/inference"
VLLM_KEY = "sk-vllm-secret-never-shown"


@pytest.fixture(scope="module")
def served(upstream: FakeOpenAI, media: FakeMedia) -> Iterator[ServedGateway]:
    env = media.env(upstream.base_url) | {
        "TOLLWAY_ADMIN_KEY": "tw-admin-inference", "TOLLWAY_UPSTREAM_TIMEOUT": "2", "TOLLWAY_RETRY_ATTEMPTS": "1",
        "TOLLWAY_DEFAULT_FALLBACKS": "{}", "TOLLWAY_BREAKER_THRESHOLD": "1000",
        # A provider registered on loopback (the fake) is allowed only with this local setting.
        "TOLLWAY_PROVIDERS_ALLOW_PRIVATE": "1", "MY_VLLM_KEY": VLLM_KEY}
    with ServedGateway(env=env) as gateway:
        yield gateway


def curl(served: ServedGateway, method: str, path: str, key: str, data: str | None = None) -> httpx.Response:
    """`curl -X <method> $BASE<path> -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" -d '<data>'`"""
    headers = {"authorization": f"Bearer {key}"} | ({"content-type": "application/json"} if data else {})
    return httpx.request(method, served.url + path, headers=headers, content=data, timeout=20)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True and set(body) == {"success", "data"}, body
    return body["data"]


def test_the_readme_examples_answer_in_the_envelope_and_are_charged(served, upstream, media) -> None:
    key = served.create_key(credits=20)
    k = key["key"]
    charged: list[Decimal] = []

    chat = curl(served, "POST", f"{API}/chat", k,
                '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}], '
                '"system": "Answer briefly", "maxTokens": 100, "temperature": 0.7}')
    data = ok(chat)
    assert data["content"] and data["finishReason"] == "stop" and data["usage"]["outputTokens"] > 0
    charged.append(Decimal(chat.headers["x-credits-used"]))

    with httpx.stream("POST", f"{served.url}{API}/chat/stream", timeout=20,
                      headers={"authorization": f"Bearer {k}", "content-type": "application/json"},
                      content='{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Write a haiku"}]}') as s:
        s.read()
    frames = [json.loads(line[5:]) for line in s.text.splitlines() if line.startswith("data:")]
    assert frames[0]["type"] == "content_block_delta" and frames[-1]["type"] == "message_stop", frames
    stream_usage = frames[-1]["usage"]

    embed = curl(served, "POST", f"{API}/embed", k, '{"model": "text-embedding-3-small", "input": ["hello", "world"]}')
    assert len(ok(embed)["embeddings"]) == 2
    charged.append(Decimal(embed.headers["x-credits-used"]))

    images = curl(served, "POST", f"{API}/images", k,
                  '{"model": "dall-e-3", "prompt": "a lighthouse at dawn", "responseFormat": "b64_json"}')
    assert len(ok(images)["images"]) == 1 and Decimal(images.headers["x-credits-used"]) > 0
    charged.append(Decimal(images.headers["x-credits-used"]))

    # curl -F model=whisper-1 -F file=@talk.mp3
    heard = httpx.post(f"{served.url}{API}/transcribe", headers={"authorization": f"Bearer {k}"}, timeout=20,
                       data={"model": "whisper-1"}, files={"file": ("talk.mp3", mp3(), "audio/mpeg")})
    assert isinstance(ok(heard)["text"], str)
    charged.append(Decimal(heard.headers["x-credits-used"]))

    # Usage: the stream's charge is only known from the balance (its headers left before it ended).
    deadline = time.monotonic() + 10
    while True:
        usage = ok(curl(served, "GET", f"{API}/usage?since={time.strftime('%Y-%m-%d', time.gmtime())}&limit=20", k))
        if usage["summary"]["totalRequests"] >= 5 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    summary = usage["summary"]
    spent = Decimal(20) - served.balance(key["id"])
    assert summary["totalRequests"] == 5 and summary["totalErrors"] == 0, [(r["endpoint"], r["status"]) for r in usage["requests"]]
    assert Decimal(str(summary["totalCredits"])) == spent > sum(charged)
    stream_record = next(r for r in usage["requests"] if r["stream"])
    assert Decimal(str(stream_record["credits"])) == spent - sum(charged)
    assert stream_record["outputTokens"] == stream_usage["outputTokens"]
    chat_record = ok(curl(served, "GET", f"{API}/requests/{chat.headers['x-request-id']}", k))
    assert chat_record["inputTokens"] == data["usage"]["inputTokens"] and chat_record["status"] == "ok"
    assert chat_record["outputTokens"] == data["usage"]["outputTokens"] and chat_record["fallback"] is False

    other = served.create_key(credits=1)["key"]
    assert curl(served, "GET", f"{API}/requests/{chat.headers['x-request-id']}", other).status_code == 404
    assert ok(curl(served, "GET", f"{API}/usage", other))["summary"]["totalRequests"] == 0


def test_a_provider_registered_through_the_api_answers_without_a_restart(served) -> None:
    admin = served.admin_key
    key = served.create_key(credits=10)["key"]
    with FakeOpenAI() as vllm:
        vllm.listed_models = ["gpt-4o-mini", "llama3"]
        created = ok(curl(served, "POST", f"{API}/providers", admin,
                          '{"name": "my-vllm", "type": "openai-compatible", "baseUrl": "%s", '
                          '"envVar": "MY_VLLM_KEY", "defaultModel": "llama3"}' % vllm.base_url), 201)
        assert VLLM_KEY not in json.dumps(created)
        synced = ok(curl(served, "POST", f"{API}/models/sync", admin, '{"provider": "my-vllm"}'))
        assert synced["count"] == 2
        listed = {m["id"]: m for m in ok(curl(served, "GET", f"{API}/models?provider=my-vllm", key))}
        assert listed["my-vllm/llama3"]["priced"] is False and listed["my-vllm/gpt-4o-mini"]["priced"] is True

        unpriced = curl(served, "POST", f"{API}/chat", key,
                        '{"providerId": "my-vllm", "messages": [{"role": "user", "content": "Hello"}]}')
        assert unpriced.status_code == 400 and unpriced.json()["error"]["code"] == "BAD_REQUEST"
        ok(curl(served, "PUT", f"{API}/providers/my-vllm", admin,
                '{"prices": {"llama3": {"input": "0.000001", "output": "0.000002"}}}'))
        answer = curl(served, "POST", f"{API}/chat", key,
                      '{"providerId": "my-vllm", "messages": [{"role": "user", "content": "Hello"}]}')
        assert ok(answer)["content"] and vllm.requests[-1].body["model"] == "llama3"
        assert vllm.requests[-1].headers["authorization"] == f"Bearer {VLLM_KEY}"
        assert Decimal(answer.headers["x-credits-used"]) > 0

        assert ok(curl(served, "DELETE", f"{API}/providers/{created['id']}", admin))["deleted"] is True
        gone = curl(served, "POST", f"{API}/chat", key,
                    '{"model": "my-vllm/llama3", "messages": [{"role": "user", "content": "Hello"}]}')
        assert gone.status_code == 404 and gone.json() == {"success": False, "error": {
            "code": "NOT_FOUND", "message": gone.json()["error"]["message"]}}
        assert len(vllm.requests) == 1
