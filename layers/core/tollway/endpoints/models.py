"""GET /infra/ai/models and /v1/models (and /{id}): the models this gateway can serve (scope ai:read).

    reply = await list_models(caller)                   # OpenAI's list: bare ids, only configured providers
    reply = await list_models(caller, canonical=True)   # /infra/ai: `provider:model` ids, every detail
    reply = await retrieve_model(caller, "workers-ai:bge-m3")

A model is found by its bare name or its `provider:model` id on both surfaces; /infra/ai names each
model by its canonical `provider:model` id (the bare name in `aliases`), /v1 by the name OpenAI's
clients send, with `canonical_id` beside it.
"""

from __future__ import annotations

from tollway.auth.caller import Caller
from tollway.catalog import listed_models, lookup
from tollway.catalog.models import unknown_prefix
from tollway.endpoints.reply import Reply
from tollway.errors import ModelNotFound
from tollway.providers import configured_providers
from tollway.wire.models import model_details, model_summary

SCOPE = "ai:read"


async def list_models(caller: Caller, *, canonical: bool = False) -> Reply:
    await caller.verified(SCOPE)
    usable = configured_providers()
    models = [m for m in listed_models() if m.provider in usable]
    if canonical:
        return Reply(body={"object": "list", "data": [model_details(m, True, canonical=True) for m in models]})
    return Reply(body={"object": "list", "data": [model_summary(m) for m in models]})


async def retrieve_model(caller: Caller, model_id: str, *, canonical: bool = False) -> Reply:
    await caller.verified(SCOPE)
    if (bad_prefix := unknown_prefix(model_id)) is not None:
        raise bad_prefix
    spec = lookup(model_id)
    if spec is None:
        raise ModelNotFound(f"The model {model_id!r} does not exist or is not served by this gateway", param="model")
    return Reply(body=model_details(spec, spec.provider in configured_providers(), canonical=canonical))
