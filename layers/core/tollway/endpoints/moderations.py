"""POST /v1/moderations: free, but admitted like any call (key, scope, rate limit) and recorded.

    answer = await moderate(api_key, {"input": "some text"}, request_id)
    answer.body["results"][0]["flagged"]
"""

from __future__ import annotations

from typing import Any

from tollway.providers.media_base import MODERATION
from tollway.endpoints.media_call import Answer, choose, metered_call
from tollway.auth.authenticate import key_ref
from tollway.wire.openai_moderations import ModerationCreateParams
from tollway.wire.validation import validate


async def moderate(key: str, raw: dict[str, Any], request_id: str) -> Answer:
    ref = key_ref(key)
    request = validate(ModerationCreateParams, raw)
    spec, moderator = await choose(key, request.model, "moderation", MODERATION)
    body = dict(raw) | {"model": spec.id}
    result, meter = await metered_call(ref, spec, "moderations", spec.unit_cost(1), request_id,
                                       lambda: moderator.moderate(body))
    await meter.settle(spec.unit_cost(1))
    return Answer(meter.headers, body=result)
