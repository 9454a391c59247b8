"""Every canonical /infra/ai route and its /v1 alias are one use case: the same request gets the same
answer and the same charge on both (ids and timestamps aside)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.fakes.media_samples import mp3

DOCUMENTS = ["Paris is the capital of France", "Bananas are yellow"]
VOLATILE = frozenset({"id", "created", "created_at", "request_id", "expires_at", "url", "job_id"})
AUDIO = "data:audio/mpeg;base64," + base64.b64encode(mp3()).decode()

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "models", None),
    ("GET", "models/gpt-4o-mini", None),
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
