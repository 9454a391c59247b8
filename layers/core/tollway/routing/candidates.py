"""The models that may answer a request, in order, each with its provider.

    candidates = await answerable(caller, "gpt-4o", raw, needed_capabilities(raw), scope="ai:generate")

The requested model must exist (404) and have every capability the request uses (400); then the
chain (the request's own alternatives, or the catalog's default) is walked: a fallback that lacks a
capability or whose provider is not configured is left out, so only models that could answer are
tried. Errors about the model are told only to a valid key (401/403 first).

One exception to the 400: images sent to a model that cannot see are read by a model that can —
the request's own alternatives that see, then the catalog's VISION_MODELS — and the answer says so
(`x-model-used`, `x-fallback-from`), as older clients expect; `"fallbacks": []` keeps the 400.
"""

from __future__ import annotations

from typing import Any

from tollway.auth.caller import Caller
from tollway.catalog import ModelSpec, resolve
from tollway.catalog.chat_models import VISION_MODELS
from tollway.catalog.models import unknown_prefix
from tollway.errors import InvalidRequest, ModelNotFound, TollwayError
from tollway.providers import provider_for
from tollway.routing.attempts import Candidate
from tollway.routing.capabilities import missing_capability, require_capabilities
from tollway.routing.chain import asked_fallbacks, model_chain


async def answerable(caller: Caller, model: str, raw: dict[str, Any], needed: dict[str, str], *,
                     scope: str) -> list[Candidate]:
    if (bad_prefix := unknown_prefix(model)) is not None:
        raise await caller.refusal(scope, bad_prefix)
    try:
        primary = resolve(model)
    except TollwayError as exc:  # a registered provider's unpriced model (catalog/provider_registry.py)
        raise await caller.refusal(scope, exc) from None
    if primary is None:
        raise await caller.refusal(scope, ModelNotFound(
            f"The model {model!r} does not exist or is not served by this gateway", param="model"))
    asked = asked_fallbacks(raw)
    chain = model_chain(primary.id, asked)  # `openai:gpt-4o` has gpt-4o's chain
    elsewhere = _reads_images_elsewhere(primary, needed, asked)
    if elsewhere:
        chain = [model, *dict.fromkeys(name for name in [*(asked or ()), *VISION_MODELS] if name != model)]
    else:
        require_capabilities(primary, needed)
    candidates: list[Candidate] = []
    unavailable: TollwayError | None = None
    for position, name in enumerate(chain):
        if position == 0 and elsewhere:
            continue  # the named model cannot see: the vision models that follow answer for it
        spec = primary if position == 0 else resolve(name)
        if spec is None:
            if asked is None:
                continue  # an operator's default chain naming a model this catalog lacks
            raise InvalidRequest(f"The fallback model {name!r} does not exist or is not served by this gateway",
                                 code="model_not_found", param="models" if "models" in raw else "fallbacks")
        if position and missing_capability(spec, needed):
            continue  # a fallback that could not answer this request is no fallback
        try:
            candidates.append(Candidate(spec, provider_for(spec.provider), position))
        except TollwayError as exc:  # not configured / not built: another model may still answer
            unavailable = unavailable or exc
    if not candidates and elsewhere:  # no model that could read the images is configured: the plain 400
        require_capabilities(primary, needed)
    if not candidates:
        assert unavailable is not None
        raise await caller.refusal(scope, unavailable)
    return candidates


def _reads_images_elsewhere(primary: ModelSpec, needed: dict[str, str], asked: list[str] | None) -> bool:
    return primary.listed and "vision" in needed and "vision" not in primary.capabilities and asked != []
