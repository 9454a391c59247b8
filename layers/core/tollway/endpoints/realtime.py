"""Realtime sessions: a short-lived client secret minted by the provider, charged a flat price.

    reply = await create_realtime_session(caller, {"model": "gpt-realtime", "ttl_seconds": 120})
    reply.body["client_secret"]["value"]     # what the client connects with; never the provider key

The price is the model's per-session price (catalog), reserved, then charged once the secret is in
hand; a failure to mint refunds it. Without a configured OpenAI realtime model the answer is 501
`realtime_not_configured`, after the key is checked.
"""

from __future__ import annotations

from typing import Any

from tollway.auth.caller import Caller
from tollway.catalog import served_as
from tollway.endpoints.media_call import SCOPE, metered_call
from tollway.endpoints.reply import Reply
from tollway.errors import NotImplementedYet, ProviderNotConfigured, TollwayError
from tollway.providers import adapter_for
from tollway.providers.media_base import REALTIME, RealtimeJob
from tollway.routing.defaults import default_model
from tollway.wire.realtime import RealtimeSessionCreateParams, realtime_session
from tollway.wire.validation import validate


async def create_realtime_session(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(RealtimeSessionCreateParams, raw)
    try:
        spec = served_as(request.model if request.model is not None else default_model("realtime"), "realtime")
        try:
            sessions = adapter_for(spec.provider, REALTIME)
        except (ProviderNotConfigured, NotImplementedYet):
            raise NotImplementedYet("Realtime sessions need an OpenAI realtime model: set OPENAI_API_KEY",
                                    code="realtime_not_configured") from None
    except TollwayError as exc:
        raise await caller.refusal(SCOPE, exc) from None
    job = RealtimeJob(spec.upstream_id or spec.id, request.voice, request.ttl_seconds)
    price = spec.unit_cost(1)
    secret, meter = await metered_call(caller, spec, "realtime.sessions", price, lambda: sessions.client_secret(job))
    await meter.settle(price)
    session_id = secret.session_id or "rtsess_" + caller.request_id.removeprefix("req_")
    return Reply(meter.headers, body=realtime_session(session_id, spec.id, request.voice, secret.value,
                                                      secret.expires_at, secret.url))
