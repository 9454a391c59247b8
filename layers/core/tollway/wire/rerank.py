"""POST /v1/rerank: a query and up to 100 documents → the documents ordered by relevance.

    >>> request = validate(RerankRequest, {"model": "rerank-v3.5", "query": "capital of France?",
    ...                                    "documents": ["Paris is…", {"text": "Berlin is…"}], "top_n": 1})
    >>> request.texts(), request.top()
    (['Paris is…', 'Berlin is…'], 1)

The shape Cohere, Jina and Voyage share (`results` of {index, relevance_score, document?}), sorted
by relevance score, best first.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_DOCUMENTS = 100


class RerankRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(default=None, min_length=1, max_length=256)  # None: the catalog's default
    query: str = Field(min_length=1, max_length=32_000)
    documents: list[Any] = Field(min_length=1, max_length=MAX_DOCUMENTS)
    top_n: int | None = Field(default=None, ge=1)
    return_documents: bool = False

    @field_validator("documents")
    @classmethod
    def _texts(cls, value: list[Any]) -> list[Any]:
        for document in value:
            text = document.get("text") if isinstance(document, dict) else document
            if not isinstance(text, str) or not text:
                raise ValueError('each document is a non-empty string or {"text": "..."}')
        return value

    def texts(self) -> list[str]:
        return [d["text"] if isinstance(d, dict) else d for d in self.documents]

    def top(self) -> int:
        return min(self.top_n or len(self.documents), len(self.documents))


def rerank_response(request_id: str, model: str, ranked: list[tuple[int, float]], texts: list[str], top_n: int,
                    with_documents: bool, usage: dict[str, Any]) -> dict[str, Any]:
    """The response body: the `top_n` best of `ranked` ((index, relevance_score) in any order)."""
    results = []
    for index, score in sorted(ranked, key=lambda hit: hit[1], reverse=True)[:top_n]:
        result: dict[str, Any] = {"index": index, "relevance_score": score}
        if with_documents:
            result["document"] = {"text": texts[index]}
        results.append(result)
    return {"id": request_id, "object": "rerank", "model": model, "results": results, "usage": usage}
