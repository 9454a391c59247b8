"""Moderations (free, still admitted and recorded) and rerank (Cohere, Jina, Voyage; 0.002 a request)."""

from decimal import Decimal

import pytest

from tests.conftest import fresh_rate_window
from tests.fakes.media_upstreams import KEYS, Knob

DOCUMENTS = ["Paris is the capital of France", "Berlin is the capital of Germany",
             "The capital of France is a big city", "Bananas are yellow"]


def test_moderation_is_free_but_admitted_and_recorded(caller, media) -> None:
    response = caller.post("/v1/moderations", json={"input": ["hello", "I will kill the process"]})
    assert response.status_code == 200, response.text
    assert [r["flagged"] for r in response.json()["results"]] == [False, True]
    assert response.headers["x-credits-used"] == "0" and response.headers["x-model-used"] == "omni-moderation-latest"
    assert media.last("openai").json["model"] == "omni-moderation-latest"
    (record,) = caller.usage()
    assert (record["endpoint"], record["status"], record["credits_micro"]) == ("moderations", "ok", 0)
    assert caller.balance() == 10


def test_moderation_counts_against_the_rate_limit(make_caller) -> None:
    caller = make_caller(credits=0, rpm=30)  # a balance of zero is enough for a free call
    fresh_rate_window()
    statuses = [caller.post("/v1/moderations", json={"input": "x"}).status_code for _ in range(31)]
    assert statuses == [200] * 30 + [429]


def test_moderation_needs_the_generate_scope(make_caller, media) -> None:
    reader = make_caller(scopes=["ai:read"])
    response = reader.post("/v1/moderations", json={"input": "x"})
    assert response.status_code == 403 and media.requests == []
    assert reader.usage()[0]["status"] == "refused"


@pytest.mark.parametrize("body", [{"input": ""}, {"input": []}, {"input": [1, 2]}, {}])
def test_bad_moderation_input_is_a_400(caller, body) -> None:
    response = caller.post("/v1/moderations", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == "input"


@pytest.mark.parametrize(("model", "provider", "top_field"), [("rerank-v3.5", "cohere", "top_n"),
                                                              ("jina-reranker-v2-base-multilingual", "jina", "top_n"),
                                                              ("rerank-2", "voyage", "top_k")])
def test_rerank_orders_documents_by_relevance_on_every_upstream(caller, media, model: str, provider: str,
                                                                top_field: str) -> None:
    response = caller.post("/v1/rerank", json={"model": model, "query": "capital of France", "top_n": 3,
                                               "documents": DOCUMENTS[:2] + [{"text": DOCUMENTS[2]}, DOCUMENTS[3]],
                                               "return_documents": True})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    scores = [r["relevance_score"] for r in results]
    assert len(results) == 3 and scores == sorted(scores, reverse=True)
    assert results[0]["index"] in (0, 2) and results[0]["document"]["text"] == DOCUMENTS[results[0]["index"]]
    seen = media.last(provider)
    assert seen.json[top_field] == 3 and seen.json["documents"] == DOCUMENTS
    assert seen.headers["authorization"] == f"Bearer {KEYS[provider]}"
    assert Decimal(response.headers["x-credits-used"]) == Decimal("0.002")
    assert caller.usage()[0]["endpoint"] == "rerank"


@pytest.mark.parametrize(("body", "param"), [
    ({"model": "", "query": "q", "documents": ["a"]}, "model"),
    ({"model": "rerank-v3.5", "query": "", "documents": ["a"]}, "query"),
    ({"model": "rerank-v3.5", "query": "q", "documents": []}, "documents"),
    ({"model": "rerank-v3.5", "query": "q", "documents": ["d"] * 101}, "documents"),
    ({"model": "rerank-v3.5", "query": "q", "documents": ["a", ""]}, "documents"),
    ({"model": "rerank-v3.5", "query": "q", "documents": [{"title": "no text"}]}, "documents"),
    ({"model": "rerank-v3.5", "query": "q", "documents": ["a"], "top_n": 0}, "top_n"),
], ids=["empty-model", "empty-query", "no-documents", "101-documents", "empty-document", "no-text", "top-n-0"])
def test_bad_rerank_requests_are_a_400(caller, media, body, param: str) -> None:
    response = caller.post("/v1/rerank", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param
    assert media.requests == []


def test_a_failed_rerank_refunds(caller, media) -> None:
    media.script(Knob(status=503))
    response = caller.post("/v1/rerank", json={"model": "rerank-v3.5", "query": "q", "documents": ["a", "b"]})
    assert response.status_code == 502 and caller.balance() == 10
