"""GET /v1/models and /v1/models/{id}: the models this gateway can serve (scope ai:read).

    reply = await list_models(api_key)        # only models whose provider is configured
    reply = await retrieve_model(api_key, "gpt-4o-mini")
"""

from __future__ import annotations

import anyio

from tollway.auth.authenticate import authenticate
from tollway.catalog import listed_models, lookup
from tollway.endpoints.reply import Reply
from tollway.errors import ModelNotFound
from tollway.providers import configured_providers
from tollway.wire.models import model_details, model_summary

SCOPE = "ai:read"


async def list_models(key: str) -> Reply:
    await anyio.to_thread.run_sync(authenticate, key, SCOPE)
    usable = configured_providers()
    return Reply(body={"object": "list", "data": [model_summary(m) for m in listed_models() if m.provider in usable]})


async def retrieve_model(key: str, model_id: str) -> Reply:
    await anyio.to_thread.run_sync(authenticate, key, SCOPE)
    spec = lookup(model_id)
    if spec is None:
        raise ModelNotFound(f"The model {model_id!r} does not exist or is not served by this gateway", param="model")
    return Reply(body=model_details(spec, spec.provider in configured_providers()))
