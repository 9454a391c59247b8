"""The catalog: every model entry and name pattern, and model-name → spec resolution.

Entries live in one module per family (`chat_models`, `media_models`), each exporting ENTRIES and
PATTERNS — (pattern, provider) pairs of the module's KIND (default "chat"), or (pattern, provider,
kind) triples when a module serves several kinds — and optionally UNLISTED, the fields an unlisted
model of a kind is priced with. This module is the only place that combines them.
"""

from __future__ import annotations

import fnmatch
from typing import Any, get_args

from tollway.catalog import auto_models, chat_models, media_models
from tollway.catalog.custom_upstreams import custom_upstreams
from tollway.catalog.spec import CREATED, DEFAULT_PRICE, Kind, ModelSpec

__all__ = ["CATALOG", "CREATED", "DEFAULT_PRICE", "ModelSpec", "listed_models", "lookup", "resolve"]

_KINDS: tuple[Kind, ...] = get_args(Kind)

_MODULES = (chat_models, media_models, auto_models)

CATALOG: dict[str, ModelSpec] = {spec.id: spec for module in _MODULES for spec in module.ENTRIES}
# (pattern, provider, kind) — patterns of one kind never shadow another kind's models.
PATTERNS: tuple[tuple[str, str, Kind], ...] = tuple(
    (entry[0], entry[1], entry[2] if len(entry) == 3 else getattr(module, "KIND", "chat"))
    for module in _MODULES for entry in module.PATTERNS
)
UNLISTED: dict[Kind, dict[str, Any]] = {
    kind: fields for module in _MODULES for kind, fields in getattr(module, "UNLISTED", {}).items()
}


def resolve(model: str, kind: Kind = "chat") -> ModelSpec | None:
    """The spec of `model` if the gateway serves it as `kind`, else None."""
    for upstream in custom_upstreams():  # the operator's declarations win over built-in patterns
        custom = upstream.spec_for(model)
        if custom is not None:
            return custom if custom.kind == kind else None
    spec = CATALOG.get(model)
    if spec is not None:
        return spec if spec.kind == kind else None
    if "/" in model and model.split("/", 1)[0] == "local":
        return None  # local models are exactly the listed ones
    for pattern, provider, pattern_kind in PATTERNS:
        if pattern_kind == kind and fnmatch.fnmatchcase(model, pattern):
            return ModelSpec(model, provider, kind=kind, listed=False, **UNLISTED.get(kind, {}))
    return None


def lookup(model: str) -> ModelSpec | None:
    """The spec of `model` whatever its kind (for GET /v1/models/{id})."""
    for kind in _KINDS:
        spec = resolve(model, kind)
        if spec is not None:
            return spec
    return None


def listed_models() -> list[ModelSpec]:
    custom = [spec for upstream in custom_upstreams() for model in upstream.models
              if (spec := upstream.spec_for(model)) is not None]
    return custom + [spec for spec in CATALOG.values() if spec.id not in {c.id for c in custom}]
