"""POST /v1/embeddings: OpenAI and Gemini upstreams, float and base64, charged per reported token."""

import base64
import struct
from decimal import Decimal

import pytest

from tests.fakes.media_upstreams import KEYS, Knob, fake_tokens, vector

SMALL = Decimal("0.00002")  # text-embedding-3-small, credits per token


def floats(encoded: str) -> list[float]:
    raw = base64.b64decode(encoded)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def test_openai_embeddings_are_charged_for_the_tokens_the_provider_reports(caller, media) -> None:
    texts = ["the quick brown fox", "jumps over the lazy dog"]
    response = caller.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": texts})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["embedding"] for item in body["data"]] == [vector(t, 8) for t in texts]
    tokens = sum(fake_tokens(t) for t in texts)
    assert body["usage"]["prompt_tokens"] == tokens
    assert Decimal(response.headers["x-credits-used"]) == tokens * SMALL == Decimal(str(body["usage"]["cost"]))
    assert response.headers["x-model-used"] == "text-embedding-3-small"
    assert caller.balance() == 10 - tokens * SMALL
    (record,) = caller.usage()
    assert (record["endpoint"], record["provider"], record["tokens_in"]) == ("embeddings", "openai", tokens)
    assert media.last("openai").json == {"model": "text-embedding-3-small", "input": texts}


@pytest.mark.parametrize("model", ["text-embedding-3-small", "text-embedding-004"])
@pytest.mark.parametrize("encoding_format", ["float", "base64"])
def test_dimensions_and_encoding_format_are_honoured_by_every_upstream(caller, media, model: str,
                                                                       encoding_format: str) -> None:
    response = caller.post("/v1/embeddings", json={"model": model, "input": "one string", "dimensions": 4,
                                                   "encoding_format": encoding_format})
    assert response.status_code == 200, response.text
    (item,) = response.json()["data"]
    values = floats(item["embedding"]) if encoding_format == "base64" else item["embedding"]
    assert values == vector("one string", 4)


def test_gemini_batches_a_list_and_is_charged_its_estimate(caller, media) -> None:
    texts = ["first text", "second text", "third"]
    response = caller.post("/v1/embeddings", json={"model": "text-embedding-004", "input": texts})
    assert response.status_code == 200, response.text
    assert [item["index"] for item in response.json()["data"]] == [0, 1, 2]
    seen = media.last("gemini")
    assert seen.path.endswith("/models/text-embedding-004:batchEmbedContents")
    assert seen.headers["x-goog-api-key"] == KEYS["gemini"]
    assert [r["content"]["parts"][0]["text"] for r in seen.json["requests"]] == texts
    (record,) = caller.usage()
    assert record["provider"] == "gemini" and record["tokens_in"] == response.json()["usage"]["prompt_tokens"] > 0
    assert record["credits_micro"] == record["tokens_in"] * 20

    single = caller.post("/v1/embeddings", json={"model": "text-embedding-004", "input": "alone"})
    assert single.status_code == 200 and media.last("gemini").path.endswith(":embedContent")


def test_token_arrays_are_embedded_and_counted_exactly(caller, media) -> None:
    response = caller.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": [[1, 2, 3], [4, 5]]})
    assert response.status_code == 200, response.text
    assert response.json()["usage"]["prompt_tokens"] == 5
    refused = caller.post("/v1/embeddings", json={"model": "text-embedding-004", "input": [1, 2, 3]})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "input"
    assert caller.balance() == 10 - 5 * SMALL  # the refused call was refunded


@pytest.mark.parametrize(("body", "param"), [
    ({"model": "text-embedding-3-small", "input": ""}, "input"),
    ({"model": "text-embedding-3-small", "input": []}, "input"),
    ({"model": "text-embedding-3-small", "input": ["ok", 3]}, "input"),
    ({"model": "text-embedding-3-small", "input": [[1, -2]]}, "input"),
    ({"model": "text-embedding-3-small", "input": ["x"] * 2049}, "input"),
    ({"model": "text-embedding-3-small", "input": "x", "encoding_format": "int8"}, "encoding_format"),
    ({"model": "text-embedding-3-small", "input": "x", "dimensions": 0}, "dimensions"),
    ({"model": "", "input": "x"}, "model"),
], ids=["empty-string", "empty-list", "mixed", "negative-token", "too-many", "encoding", "dimensions", "empty-model"])
def test_bad_input_is_a_400_naming_the_param_and_reserves_nothing(caller, media, body, param: str) -> None:
    response = caller.post("/v1/embeddings", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert caller.usage() == [] and media.requests == []


def test_a_chat_model_is_not_an_embedding_model(caller) -> None:
    response = caller.post("/v1/embeddings", json={"model": "gpt-4o-mini", "input": "x"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "model_not_found"
    assert "embedding model" in response.json()["error"]["message"]


@pytest.mark.parametrize(("knob", "status"), [(Knob(status=500), 502), (Knob(status=429), 429),
                                              (Knob(delay_s=3), 504), (Knob(status=401), 502)],
                         ids=["500", "429", "timeout", "bad-upstream-key"])
@pytest.mark.parametrize("model", ["text-embedding-3-small", "text-embedding-004"])
def test_a_failed_upstream_call_refunds_everything(caller, media, knob: Knob, status: int, model: str) -> None:
    media.script(knob)
    response = caller.post("/v1/embeddings", json={"model": model, "input": "refund me"})
    assert response.status_code == status, response.text
    assert response.headers["x-credits-used"] == "0"
    assert caller.balance() == 10
    (record,) = caller.usage()
    assert record["status"] == "upstream_error" and record["credits_micro"] == 0
    assert KEYS["openai"] not in response.text and KEYS["gemini"] not in response.text
