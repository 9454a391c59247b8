"""The provider registry and the model list of the Inference API (/api/v1/inference/providers, /models).

    reply = await create_provider(caller, {"name": "my-vllm", "type": "openai-compatible",
                                           "baseUrl": "https://vllm.example.com/v1", "envVar": "MY_VLLM_KEY"})
    reply = await sync_models(caller, {"provider": "my-vllm"})   # the provider's own list, stored
    reply = await list_inference_models(caller, "my-vllm")

Only the operator (the admin key) or a key with `ai:admin` writes; any `ai:read` key reads. A key
is never accepted here (the body refuses unknown fields such as `apiKey`): `envVar` names where the
gateway finds it. `baseUrl` must pass the SSRF guard (a public address on port 80 or 443), unless
TOLLWAY_PROVIDERS_ALLOW_PRIVATE is on (local development: a vLLM or Ollama on loopback).
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.auth.keys import ADMIN_SCOPE
from tollway.auth.operator import is_operator
from tollway.catalog import listed_models
from tollway.catalog.custom_upstreams import BUILT_IN as BUILT_IN_NAMES
from tollway.catalog.custom_upstreams import custom_upstreams
from tollway.catalog.provider_registry import RegisteredProvider, snapshot
from tollway.catalog.spec import ModelSpec
from tollway.config import secret, settings
from tollway.endpoints.reply import Reply
from tollway.errors import Conflict, DestinationRefused, InvalidRequest, NotFound, UpstreamTimeout
from tollway.ledger.money import format_credits
from tollway.wire.inference import ModelsSyncRequest, ProviderCreate, ProviderFields, envelope
from tollway.wire.validation import validate

READ, ADMIN = "ai:read", ADMIN_SCOPE
SYNC_TIMEOUT_S = 30.0
# Variables a provider may never name: the gateway's own secrets and the platform's credentials.
_RESERVED_VARIABLES = ("TOLLWAY_", "AWS_", "AMAZON_")


async def authorize(caller: Caller, scope: str) -> str | None:
    """None for the operator, else the key's id once it is verified for `scope`."""
    if is_operator(caller.key):
        return None
    await caller.verified(scope)
    return caller.ref.id


def _iso(at: float | None) -> str | None:
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z") if at is not None else None


def provider_json(p: RegisteredProvider) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "type": p.type, "baseUrl": p.base_url, "defaultModel": p.default_model,
            "envVar": p.env_var, "created": _iso(p.created), "updated": _iso(p.updated),
            "prices": {m: {"input": format_credits(i), "output": format_credits(o)} for m, (i, o) in p.prices.items()},
            "syncedAt": _iso(p.synced_at), "modelCount": len(p.models)}


def _found(ref: str) -> RegisteredProvider:
    found = snapshot(fresh=True).by_ref(ref)
    if found is None:
        raise NotFound(f"No provider {ref!r} is registered")
    return found


# -- the registry ------------------------------------------------------------------------------


async def list_providers(caller: Caller) -> Reply:
    await authorize(caller, READ)
    providers = sorted(snapshot(fresh=True).by_id.values(), key=lambda p: p.created)
    return Reply(body=envelope([provider_json(p) for p in providers]))


async def show_provider(caller: Caller, ref: str) -> Reply:
    await authorize(caller, READ)
    return Reply(body=envelope(provider_json(_found(ref))))


async def create_provider(caller: Caller, raw: dict[str, Any]) -> Reply:
    await authorize(caller, ADMIN)
    fields = validate(ProviderCreate, raw)
    now = time.time()
    provider = RegisteredProvider(f"prov_{secrets.token_hex(8)}", fields.name, fields.type, fields.baseUrl,
                                  fields.envVar, fields.defaultModel, now, now, _prices(fields))
    await _check(provider)
    from tollway.catalog.provider_registry import put

    await anyio.to_thread.run_sync(lambda: put(provider))
    return Reply(body=envelope(provider_json(provider)), status=201)


async def update_provider(caller: Caller, ref: str, raw: dict[str, Any]) -> Reply:
    await authorize(caller, ADMIN)
    fields = validate(ProviderFields, raw)
    previous = _found(ref)
    given = fields.model_fields_set
    provider = RegisteredProvider(
        previous.id, fields.name if "name" in given and fields.name else previous.name,
        fields.type if "type" in given and fields.type else previous.type,
        fields.baseUrl if "baseUrl" in given and fields.baseUrl else previous.base_url,
        fields.envVar if "envVar" in given else previous.env_var,
        fields.defaultModel if "defaultModel" in given else previous.default_model,
        previous.created, max(time.time(), previous.updated + 1e-6),
        _prices(fields) if "prices" in given else previous.prices, previous.models, previous.synced_at)
    await _check(provider)
    from tollway.catalog.provider_registry import put

    await anyio.to_thread.run_sync(lambda: put(provider, previous=previous))
    return Reply(body=envelope(provider_json(provider)))


async def delete_provider(caller: Caller, ref: str) -> Reply:
    await authorize(caller, ADMIN)
    provider = _found(ref)
    from tollway.catalog.provider_registry import delete

    await anyio.to_thread.run_sync(lambda: delete(provider))
    return Reply(body=envelope({"id": provider.id, "name": provider.name, "deleted": True}))


def _prices(fields: ProviderFields) -> dict[str, tuple[int, int]]:
    from tollway.upstream_ids import id_problem

    prices = {}
    for model, price in (fields.prices or {}).items():
        if (problem := id_problem(model, namespaced=True)) is not None:
            raise InvalidRequest(f"prices: a model name {problem}", param="prices")
        prices[model] = price.micro(model)
    return prices


async def _check(provider: RegisteredProvider) -> None:
    """What a provider must be before it is stored: a name of its own, a known type, a base URL the
    gateway may call, and a key variable that is set."""
    from tollway.providers.instances import REGISTERED_TYPES

    if provider.name in BUILT_IN_NAMES or provider.name == "auto":
        raise Conflict(f"name: {provider.name!r} is a built-in provider's name")
    if any(u.name == provider.name for u in custom_upstreams()):
        raise Conflict(f"name: {provider.name!r} is declared in TOLLWAY_UPSTREAMS")
    if provider.type not in REGISTERED_TYPES:
        raise InvalidRequest(f"type: {provider.type!r} is not a provider type; one of "
                             f"{', '.join(sorted(REGISTERED_TYPES))}", param="type")
    if not provider.base_url.startswith(("https://", "http://")):
        raise InvalidRequest("baseUrl: must be an http(s) URL", param="baseUrl")
    from tollway.operations.destination import check_destination

    allow_private = settings().providers_allow_private
    try:
        await anyio.to_thread.run_sync(lambda: check_destination(provider.base_url, allow_private=allow_private))
    except DestinationRefused as exc:
        raise InvalidRequest(exc.message.replace("webhook_url", "baseUrl", 1), param="baseUrl") from None
    if provider.env_var is not None:
        if provider.env_var.upper().startswith(_RESERVED_VARIABLES):
            raise InvalidRequest(f"envVar: {provider.env_var} is one of the gateway's own variables, "
                                 "not a provider key", param="envVar")
        if not await anyio.to_thread.run_sync(secret, provider.env_var):
            raise InvalidRequest(f"envVar: {provider.env_var} is not set in the gateway's environment or its "
                                 "provider secret", param="envVar")


# -- models ------------------------------------------------------------------------------------


def _spec_json(spec: ModelSpec) -> dict[str, Any]:
    model: dict[str, Any] = {"id": spec.id, "provider": spec.provider, "kind": spec.kind, "priced": True}
    if spec.unit == "token":
        model |= {"inputPrice": format_credits(spec.input_price), "outputPrice": format_credits(spec.output_price)}
    else:
        model |= {"unit": spec.unit, "unitPrice": format_credits(spec.unit_price)}
    return model


def _registered_models(p: RegisteredProvider) -> list[dict[str, Any]]:
    names = dict.fromkeys([*(m.id for m in p.models), *p.prices, *([p.default_model] if p.default_model else [])])
    models = []
    for name in names:
        price = p.price_of(name, "chat")
        model: dict[str, Any] = {"id": f"{p.name}/{name}", "provider": p.name, "providerId": p.id, "kind": "chat",
                                 "upstreamId": name, "priced": price is not None, "syncedAt": _iso(p.synced_at)}
        if price is not None:
            model |= {"inputPrice": format_credits(price[0]), "outputPrice": format_credits(price[1])}
        models.append(model)
    return models


async def list_inference_models(caller: Caller, provider: str | None) -> Reply:
    """The catalog and every registered provider's models; `provider` (a name, or a registered id) narrows it."""
    await authorize(caller, READ)
    registry = snapshot()
    if provider is not None:
        found = registry.by_ref(provider)
        if found is not None:
            return Reply(body=envelope(_registered_models(found)))
        models = [_spec_json(s) for s in listed_models() if s.provider == provider]
        if not models:
            from tollway.providers.instances import instance

            if instance(provider) is None:
                raise NotFound(f"provider: no provider {provider!r}", param="provider")
        return Reply(body=envelope(models))
    models = [_spec_json(s) for s in listed_models()]
    for p in sorted(registry.by_id.values(), key=lambda p: p.created):
        models += _registered_models(p)
    return Reply(body=envelope(models))


async def sync_models(caller: Caller, raw: dict[str, Any]) -> Reply:
    await authorize(caller, ADMIN)
    request = validate(ModelsSyncRequest, raw)
    previous = snapshot(fresh=True).by_ref(request.provider)
    if previous is None:
        raise NotFound(f"provider: no registered provider {request.provider!r} (built-in providers' models are "
                       "in the catalog)", param="provider")
    from tollway.catalog.provider_registry import put
    from tollway.providers.model_lists import list_models

    try:
        with anyio.fail_after(SYNC_TIMEOUT_S):
            found = await list_models(previous.name)
    except TimeoutError:
        raise UpstreamTimeout(f"{previous.name} did not list its models within {SYNC_TIMEOUT_S:g} s") from None
    now = time.time()
    synced = RegisteredProvider(previous.id, previous.name, previous.type, previous.base_url, previous.env_var,
                                previous.default_model, previous.created, max(now, previous.updated + 1e-6),
                                previous.prices, tuple(found), now)
    await anyio.to_thread.run_sync(lambda: put(synced, previous=previous))
    return Reply(body=envelope({"provider": synced.name, "providerId": synced.id, "syncedAt": _iso(now),
                                "count": len(found), "models": _registered_models(synced)}))
