"""The catalog: every model entry and name pattern, and model-name → spec resolution.

Entries live in one module per kind (`chat_models`, `job_models`, …), each exporting ENTRIES and
PATTERNS; this module is the only place that combines them, so adding a kind is one import here.
A pattern is `(pattern, provider)` — a model of the module's KIND (default "chat") at the default
price — or `(pattern, spec)`, where the spec is the template (provider, kind, price) every model
matching the pattern gets: a module may then serve several kinds.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from types import ModuleType

from tollway.catalog import chat_models, job_models
from tollway.catalog.spec import CREATED, DEFAULT_PRICE, Kind, ModelSpec

__all__ = ["CATALOG", "CREATED", "DEFAULT_PRICE", "ModelSpec", "listed_models", "resolve"]

_MODULES = (chat_models, job_models)

CATALOG: dict[str, ModelSpec] = {spec.id: spec for module in _MODULES for spec in module.ENTRIES}


def _patterns(module: ModuleType) -> list[tuple[str, ModelSpec]]:
    kind: Kind = getattr(module, "KIND", "chat")
    return [(pattern, target if isinstance(target, ModelSpec)
             else ModelSpec(pattern, target, kind=kind, listed=False))
            for pattern, target in module.PATTERNS]


# (pattern, template spec), first match wins — patterns of one kind never shadow another kind's models.
PATTERNS: tuple[tuple[str, ModelSpec], ...] = tuple(entry for module in _MODULES for entry in _patterns(module))


def resolve(model: str, kind: Kind = "chat") -> ModelSpec | None:
    """The spec of `model` if the gateway serves it as `kind`, else None."""
    spec = CATALOG.get(model)
    if spec is not None:
        return spec if spec.kind == kind else None
    if "/" in model and model.split("/", 1)[0] == "local":
        return None  # local models are exactly the listed ones
    for pattern, template in PATTERNS:
        if template.kind == kind and fnmatch.fnmatchcase(model, pattern):
            return dataclasses.replace(template, id=model, listed=False)
    return None


def listed_models() -> list[ModelSpec]:
    """What /v1/models shows: the catalog's entries, without the gateway's own priced services."""
    return [spec for spec in CATALOG.values() if spec.listed]
