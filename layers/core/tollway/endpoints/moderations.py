"""POST /v1/moderations: free, but admitted like any call (key, scope, rate limit) and recorded.

    reply = await moderate(api_key, {"input": "some text"}, request_id)
    reply.body["results"][0]["flagged"]
"""

from __future__ import annotations

from typing import Any

from tollway.auth.authenticate import key_ref
from tollway.endpoints.media_call import choose, metered_call
from tollway.endpoints.reply import Reply
from tollway.providers.media_base import MODERATION
from tollway.wire.openai_moderations import ModerationCreateParams
from tollway.wire.validation import validate


async def moderate(key: str, raw: dict[str, Any], request_id: str) -> Reply:
    ref = key_ref(key)
    request = validate(ModerationCreateParams, raw)
    spec, moderator = await choose(key, request.model, "moderation", MODERATION)
    body = dict(raw) | {"model": spec.id}
    result, meter = await metered_call(ref, spec, "moderations", spec.unit_cost(1), request_id,
                                       lambda: moderator.moderate(body))
    await meter.settle(spec.unit_cost(1))
    return Reply(meter.headers, body=result)
