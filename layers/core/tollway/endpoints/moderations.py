"""POST /v1/moderations: free, but admitted like any call (key, scope, rate limit) and recorded.

    reply = await moderate(caller, {"input": "some text"})
    reply.body["results"][0]["flagged"]
"""

from __future__ import annotations

from typing import Any

from tollway.auth.caller import Caller
from tollway.endpoints.media_call import choose, default_model, metered_call
from tollway.endpoints.reply import Reply
from tollway.providers.media_base import MODERATION
from tollway.wire.openai_moderations import ModerationCreateParams
from tollway.wire.validation import validate


async def moderate(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(ModerationCreateParams, raw)
    spec, moderator = await choose(caller, request.model or default_model("moderation"), "moderation",
                                   MODERATION)
    body = dict(raw) | {"model": spec.id}
    result, meter = await metered_call(caller, spec, "moderations", spec.unit_cost(1),
                                       lambda: moderator.moderate(body))
    await meter.settle(spec.unit_cost(1))
    return Reply(meter.headers, body=result)
