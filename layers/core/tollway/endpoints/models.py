"""GET /v1/models and /v1/models/{id}: the models this gateway can serve (scope ai:read).

    reply = await list_models(caller)         # only models whose provider is configured
    reply = await retrieve_model(caller, "gpt-4o-mini")
"""

from __future__ import annotations

from tollway.auth.caller import Caller
from tollway.catalog import listed_models, lookup
from tollway.endpoints.reply import Reply
from tollway.errors import ModelNotFound
from tollway.providers import configured_providers
from tollway.wire.models import model_details, model_summary

SCOPE = "ai:read"


async def list_models(caller: Caller) -> Reply:
    await caller.verified(SCOPE)
    usable = configured_providers()
    return Reply(body={"object": "list", "data": [model_summary(m) for m in listed_models() if m.provider in usable]})


async def retrieve_model(caller: Caller, model_id: str) -> Reply:
    await caller.verified(SCOPE)
    spec = lookup(model_id)
    if spec is None:
        raise ModelNotFound(f"The model {model_id!r} does not exist or is not served by this gateway", param="model")
    return Reply(body=model_details(spec, spec.provider in configured_providers()))
