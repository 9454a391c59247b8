"""POST /v1/rerank from admission to settlement: a fixed price per request.

    reply = await create_rerank(caller, {"model": "rerank-v3.5", "query": "…", "documents": ["…", "…"]})
    reply.body["results"]       # [{"index": 1, "relevance_score": 0.93}, …], best first
"""

from __future__ import annotations

from typing import Any

from tollway.auth.caller import Caller
from tollway.endpoints.media_call import choose, metered_call
from tollway.endpoints.reply import Reply
from tollway.ledger.money import credits_json
from tollway.providers.media_base import RERANK, RerankJob
from tollway.wire.rerank import RerankRequest, rerank_response
from tollway.wire.validation import validate


async def create_rerank(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(RerankRequest, raw)
    spec, reranker = await choose(caller, request.model, "rerank", RERANK)
    texts = request.texts()
    job = RerankJob(spec.id, request.query, texts, request.top())
    outcome, meter = await metered_call(caller, spec, "rerank", spec.unit_cost(1),
                                        lambda: reranker.rerank(job))
    charged = await meter.settle(spec.unit_cost(1))
    ranked = [(hit.index, hit.relevance_score) for hit in outcome.hits]
    usage = outcome.usage | {"cost": credits_json(charged)}
    return Reply(meter.headers, body=rerank_response(caller.request_id, spec.id, ranked, texts, job.top_n,
                                                      request.return_documents, usage))
