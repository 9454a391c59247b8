"""Rerank upstreams that speak Cohere's rerank API: Cohere itself, Jina and Voyage.

    reranker = CohereCompatibleReranker(instance("cohere"))
    outcome = await reranker.rerank(RerankJob("rerank-v3.5", "capital of France?", ["Paris…", "Berlin…"], 2))
    outcome.hits        # [RerankHit(index=0, relevance_score=0.98), …], best first

All three take `POST {base}/rerank` {model, query, documents, top_n} (Voyage says `top_k`) and
answer a list of {index, relevance_score} — under `results` (Cohere, Jina) or `data` (Voyage).
Configured by <PREFIX>_API_KEY / <PREFIX>_BASE_URL; the catalog picks the upstream by model name.
The field that caps the results is the instance's `top_param` (default `top_n`).
"""

from __future__ import annotations

from typing import Any

from tollway.errors import UpstreamError
from tollway.providers.media_base import RerankHit, RerankJob, RerankOutcome
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.instances import ProviderInstance


def _message(parsed: Any) -> str | None:
    for field in ("message", "detail"):
        value = parsed.get(field) if isinstance(parsed, dict) else None
        if isinstance(value, str):
            return value
    return None


class CohereCompatibleReranker:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name
        self.top_param = instance.extra.get("top_param", "top_n")
        self.http = UpstreamHTTP(instance.upstream(), error_message=_message)

    def configured(self) -> bool:
        return self.http.configured()

    async def rerank(self, job: RerankJob) -> RerankOutcome:
        body = {"model": job.model, "query": job.query, "documents": job.documents, self.top_param: job.top_n}
        parsed = self.http.json(await self.http.send("POST", "/rerank", json=body))
        items = parsed.get("results", parsed.get("data"))
        if not isinstance(items, list):
            raise UpstreamError(f"{self.name} answered without rerank results")
        hits = []
        for item in items:
            try:
                index, score = int(item["index"]), float(item["relevance_score"])
            except (KeyError, TypeError, ValueError) as exc:
                raise UpstreamError(f"{self.name} answered a malformed rerank result") from exc
            if not 0 <= index < len(job.documents):
                raise UpstreamError(f"{self.name} answered a result for a document it was not sent")
            hits.append(RerankHit(index, score))
        meta = parsed.get("meta")
        usage = parsed.get("usage") or (meta.get("billed_units") if isinstance(meta, dict) else None)
        return RerankOutcome(hits, usage if isinstance(usage, dict) else {})
