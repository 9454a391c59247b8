"""POST /v1/embeddings from admission to settlement.

    reply = await create_embeddings(caller, {"model": "text-embedding-3-small", "input": "hi"})
    reply.body["usage"]     # {"prompt_tokens": 1, "total_tokens": 1, "cost": 0.00002}

Reserves the input's token estimate at the model's price and charges the provider's reported
prompt tokens (the estimate when it reports none, as Gemini), never more than was reserved.
"""

from __future__ import annotations

from typing import Any

from tollway.auth.caller import Caller
from tollway.endpoints.media_call import choose, metered_call
from tollway.endpoints.reply import Reply
from tollway.ledger.money import credits_json
from tollway.providers.media_base import EMBEDDINGS
from tollway.wire.openai_embeddings import EmbeddingCreateParams
from tollway.wire.validation import validate


async def create_embeddings(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(EmbeddingCreateParams, raw)
    spec, embedder = await choose(caller, request.model, "embedding", EMBEDDINGS)
    estimate = request.estimated_tokens()
    result, meter = await metered_call(caller, spec, "embeddings", spec.cost(estimate, 0),
                                       lambda: embedder.embed(dict(raw) | {"model": spec.upstream_id or spec.id}))
    tokens = result.prompt_tokens if result.prompt_tokens is not None else estimate
    charged = await meter.settle(spec.cost(tokens, 0), prompt_tokens=tokens)
    body = result.body
    reported = body.get("usage")
    usage: dict[str, Any] = reported if isinstance(reported, dict) else {}
    body["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens} | usage | {"cost": credits_json(charged)}
    return Reply(meter.headers, body=body)
