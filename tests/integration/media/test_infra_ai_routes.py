"""Every canonical /infra/ai route and its /v1 alias are one use case: the same request gets the same
answer and the same charge on both (ids and timestamps aside)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.fakes.media_samples import mp3, png

DOCUMENTS = ["Paris is the capital of France", "Bananas are yellow"]
VOLATILE = frozenset({"id", "created", "created_at", "request_id", "expires_at", "url", "job_id"})
AUDIO = "data:audio/mpeg;base64," + base64.b64encode(mp3()).decode()

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "embeddings", {"model": "text-embedding-3-small", "input": "hello there"}),
    ("POST", "moderations", {"model": "omni-moderation-latest", "input": "hello"}),
    ("POST", "rerank", {"model": "rerank-v3.5", "query": "capital of France", "documents": DOCUMENTS}),
    ("POST", "audio/transcriptions", {"model": "whisper-1", "file": AUDIO}),
    ("POST", "audio/translations", {"model": "whisper-1", "file": AUDIO}),
    ("POST", "images/generations", {"model": "dall-e-3", "prompt": "a lighthouse", "response_format": "b64_json"}),
    ("POST", "documents/parse", {"data": base64.b64encode(b"# Title\n\nSome text.").decode(), "filename": "a.md"}),
    ("POST", "documents/chunk", {"text": "One paragraph.\n\nAnother paragraph.", "max_chars": 100}),
    ("POST", "responses", {"model": "local/echo", "input": "same words both ways"}),
]


def stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


@pytest.mark.parametrize("method, path, body", ROUTES, ids=[r[1] for r in ROUTES])
def test_the_canonical_route_and_its_alias_answer_and_charge_the_same(caller, media, method: str, path: str,
                                                                     body: dict[str, Any] | None) -> None:
    answers = []
    for prefix in ("/infra/ai/", "/v1/"):
        before = caller.balance()
        response = caller.http.request(method, prefix + path, json=body)
        assert response.status_code == 200, (prefix, response.text)
        answers.append((stable(response.json()), response.headers.get("x-credits-used"),
                        response.headers.get("x-model-used"), before - caller.balance()))
    assert answers[0] == answers[1]
    if method == "POST":
        canonical, alias = caller.usage()[-2:]
        assert canonical["endpoint"] == alias["endpoint"] and canonical["credits_micro"] == alias["credits_micro"]


def test_an_operation_reads_and_cancels_on_both_routes(caller, media) -> None:
    started = caller.post("/infra/ai/images/generations", json={"model": "dall-e-3", "prompt": "slow", "async": True})
    assert started.status_code == 202, started.text
    operation = started.json()["id"]
    seen = [caller.get(f"{prefix}operations/{operation}") for prefix in ("/infra/ai/", "/v1/")]
    assert [s.status_code for s in seen] == [200, 200]
    assert seen[0].json()["id"] == seen[1].json()["id"] == operation
    cancelled = caller.post(f"/infra/ai/operations/{operation}/cancel")
    assert cancelled.status_code in (200, 409), cancelled.text


def test_speech_on_the_canonical_route_is_json_with_base64_audio_unless_binary_is_asked(caller, media) -> None:
    body = {"model": "tts-1", "input": "Hello there", "voice": "alloy"}
    as_json = caller.post("/infra/ai/audio/speech", json=body)
    as_bytes = caller.post("/infra/ai/audio/speech", json=body | {"response_format": "binary"})
    on_v1 = caller.post("/v1/audio/speech", json=body)
    assert as_json.status_code == as_bytes.status_code == on_v1.status_code == 200, as_json.text
    answer = as_json.json()
    assert answer["content_type"] == as_bytes.headers["content-type"] == "audio/mpeg"
    assert base64.b64decode(answer["audio"]) == as_bytes.content == on_v1.content
    assert answer["bytes"] == len(on_v1.content) and answer["model"] == as_json.headers["x-model-used"] == "tts-1"
    assert as_json.headers["x-credits-used"] == "1"
    assert [r["credits_micro"] for r in caller.usage()] == [1_000_000] * 3


@pytest.mark.parametrize("body, param", [({"response_format": "mp3"}, "response_format"),
                                         ({"format": "url"}, "format"), ({"format": "midi"}, "format")])
def test_bad_speech_delivery_is_a_400_naming_the_field(caller, media, body, param) -> None:
    response = caller.post("/infra/ai/audio/speech", json={"model": "tts-1", "input": "hi"} | body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param
    assert caller.usage() == [] or caller.usage()[-1]["credits_micro"] == 0


def test_image_edits_take_the_image_as_base64_json(caller, media) -> None:
    image = base64.b64encode(png()).decode()
    response = caller.post("/infra/ai/images/edits", json={"model": "gpt-image-1", "prompt": "add a hat",
                                                          "image": {"data": image, "content_type": "image/png"}})
    assert response.status_code == 200, response.text
    assert response.json()["data"][0]["b64_json"]
    (sent,) = media.last("openai").files["image"]
    assert sent[2] == png()


@pytest.mark.parametrize("steps", [0, 17, "4", 2.5])
def test_steps_out_of_range_is_a_400_with_nothing_reserved(caller, media, steps) -> None:
    response = caller.post("/infra/ai/images/generations", json={"model": "dall-e-3", "prompt": "x", "steps": steps})
    assert response.status_code == 400 and response.json()["error"]["param"] == "steps"
    assert caller.usage() == [] and media.requests == []


def test_steps_become_the_workers_ai_step_count(caller, media) -> None:
    response = caller.post("/infra/ai/images/generations", json={
        "model": "@cf/stabilityai/stable-diffusion-xl-base-1.0", "prompt": "a fox", "steps": 12})
    assert response.status_code == 200, response.text
    assert media.last("workers_ai").json["num_steps"] == 12
    assert "steps" not in media.last("workers_ai").json


def test_the_canonical_models_name_every_model_provider_colon_model(caller, media) -> None:
    canonical = caller.get("/infra/ai/models").json()["data"]
    listed = caller.get("/v1/models").json()["data"]
    assert {m["aliases"][0] for m in canonical} == {m["id"] for m in listed}
    by_id = {m["id"]: m for m in canonical}
    assert by_id["openai:gpt-4o-mini"]["aliases"] == ["gpt-4o-mini"]
    assert by_id["workers-ai:flux-1-schnell"]["aliases"] == ["@cf/black-forest-labs/flux-1-schnell"]
    mini = by_id["openai:gpt-4o-mini"]
    assert mini["supports"]["vision"] is True and mini["supports"]["audio"] is False
    assert mini["input_modalities"] == ["text", "image", "file"] and mini["max_output_tokens"] == 16_384
    assert mini["pricing"] == {"unit": "token", "input": "0.0008", "output": "0.0008"}
    one = caller.get("/infra/ai/models/workers-ai:bge-m3").json()
    assert (one["id"], one["kind"], one["aliases"]) == ("workers-ai:bge-m3", "embedding", ["@cf/baai/bge-m3"])
    assert caller.get("/v1/models/workers-ai:bge-m3").json()["canonical_id"] == "workers-ai:bge-m3"
    unknown = caller.get("/infra/ai/models/acme:gpt-4o")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_provider"


def test_a_workers_ai_image_model_by_its_provider_id(caller, media) -> None:
    response = caller.post("/infra/ai/images/generations", json={"model": "workers-ai:flux-1-schnell",
                                                                "prompt": "a fox", "steps": 12})
    assert response.status_code == 200, response.text
    assert response.headers["x-model-used"] == "@cf/black-forest-labs/flux-1-schnell"
    assert media.last("workers_ai").json["num_steps"] == 8  # FLUX schnell's own maximum
    assert caller.usage()[-1]["credits_micro"] == 250_000


@pytest.mark.parametrize("path, body, model", [
    ("/infra/ai/embeddings", {"input": "hello"}, "text-embedding-3-small"),
    ("/infra/ai/moderations", {"input": "hello"}, "omni-moderation-latest"),
    ("/infra/ai/rerank", {"query": "capital of France", "documents": DOCUMENTS}, "rerank-v3.5"),
    ("/infra/ai/audio/transcriptions", {"file": AUDIO}, "whisper-1"),
    ("/infra/ai/audio/speech", {"input": "hello"}, "tts-1"),
])
def test_without_a_model_the_catalogs_default_for_the_kind_answers_and_says_so(caller, media, path: str,
                                                                               body: dict, model: str) -> None:
    response = caller.post(path, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["x-model-used"] == model
    assert caller.usage()[-1]["model"] == model


def test_a_provider_id_on_embeddings_reaches_the_upstream_as_its_own_name(caller, media) -> None:
    response = caller.post("/infra/ai/embeddings", json={"model": "openai:text-embedding-3-small", "input": "hi"})
    assert response.status_code == 200, response.text
    assert media.last("openai").json["model"] == "text-embedding-3-small"


def test_new_operations_are_aiop_ids_and_old_op_ids_keep_working(caller, media) -> None:
    import dataclasses

    from tollway.operations import records

    started = caller.post("/infra/ai/images/generations", json={"model": "dall-e-3", "prompt": "x", "async": True})
    assert started.status_code == 202, started.text
    new_id = started.json()["id"]
    assert new_id.startswith("aiop_")
    old = dataclasses.replace(records.load(new_id), id="op_0123456789abcdef01234567")
    records.create(old)  # an operation written before the ids changed
    for prefix in ("/infra/ai/", "/v1/"):
        seen = caller.get(f"{prefix}operations/op_0123456789abcdef01234567")
        assert seen.status_code == 200 and seen.json()["id"] == "op_0123456789abcdef01234567", seen.text
        assert caller.get(f"{prefix}operations/xop_0123456789abcdef01234567").status_code == 404
