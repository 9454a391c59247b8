"""The catalog: every model entry and name pattern, and model-name → spec resolution.

Entries live in one module per family (`chat_models`, `media_models`, `job_models`,
`auto_models`), each exporting ENTRIES and PATTERNS; this module is the only place that combines
them. A pattern gives the template every matching model is served from:

- `(pattern, provider)`: a model of the module's KIND (default "chat") at the default price;
- `(pattern, provider, kind)`: a model of that kind, priced as the module's UNLISTED[kind] says;
- `(pattern, spec)`: the spec itself is the template (provider, kind, price).

The operator's declared upstreams (TOLLWAY_UPSTREAMS) are looked at first. A pattern's `*` and `?`
never match `/`, and only names in the upstream id grammar (`tollway.upstream_ids`: no `?`, `#`,
`%`, dot segments…) match a pattern at all: the name may end up in an upstream's URL path.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from types import ModuleType
from typing import get_args

from tollway.catalog import provider_ids
from tollway.catalog.custom_upstreams import CustomUpstream, custom_upstreams
from tollway.catalog.listed import CATALOG
from tollway.catalog.listed import MODULES as _MODULES
from tollway.catalog.namespaces import namespaced_spec
from tollway.catalog.spec import CREATED, DEFAULT_PRICE, Kind, ModelSpec
from tollway.errors import InvalidRequest, ModelNotFound
from tollway.upstream_ids import id_problem, is_id

__all__ = ["CATALOG", "CREATED", "DEFAULT_PRICE", "ModelSpec", "listed_models", "lookup", "require_capability",
           "resolve", "served_as", "unknown_prefix"]

_KINDS: tuple[Kind, ...] = get_args(Kind)


def _patterns(module: ModuleType) -> list[tuple[str, ModelSpec]]:
    templates = []
    for entry in module.PATTERNS:
        pattern, target = entry[0], entry[1]
        if isinstance(target, ModelSpec):
            templates.append((pattern, target))
            continue
        kind: Kind = entry[2] if len(entry) == 3 else getattr(module, "KIND", "chat")
        priced = getattr(module, "UNLISTED", {}).get(kind, {})
        templates.append((pattern, ModelSpec(pattern, target, kind=kind, listed=False, **priced)))
    return templates


# (pattern, template spec), first match of the kind wins — patterns never shadow another kind's models.
PATTERNS: tuple[tuple[str, ModelSpec], ...] = tuple(entry for module in _MODULES for entry in _patterns(module))


def resolve(model: str, kind: Kind = "chat") -> ModelSpec | None:
    """The spec of `model` (bare, or `provider:model`) if the gateway serves it as `kind`, else None."""
    if model.startswith("cf/"):  # older clients drop the @ of Workers AI's names: the same models
        model = "@" + model
    upstreams = custom_upstreams()
    declared = _declared_spec(upstreams, model)  # the operator's names first: Ollama's `qwen2.5:7b` is not a prefix
    if declared is not None:
        return declared if declared.kind == kind else None
    prefixed = provider_ids.split(model, tuple(u.name for u in upstreams)) if ":" in model else None
    if prefixed is None:
        return _built_in(model, kind)
    provider, names = prefixed
    for name in names:
        spec = _resolve_bare(name, kind)
        if spec is not None and spec.provider == provider:
            return spec
    return None


def _declared_spec(upstreams: tuple[CustomUpstream, ...], model: str) -> ModelSpec | None:
    for upstream in upstreams:
        custom = upstream.spec_for(model)
        if custom is not None:
            return custom
    return None


def _resolve_bare(model: str, kind: Kind) -> ModelSpec | None:
    declared = _declared_spec(custom_upstreams(), model)  # the operator's declarations win over built-in patterns
    if declared is not None:
        return declared if declared.kind == kind else None
    return _built_in(model, kind)


def _built_in(model: str, kind: Kind) -> ModelSpec | None:
    if "/" in model:  # `<registered provider>/<model>`, `opencode/<model>`
        namespaced = namespaced_spec(model, kind)
        if namespaced is not None:
            return namespaced
    spec = CATALOG.get(model)
    if spec is not None:
        return spec if spec.kind == kind else None
    if "/" in model and model.split("/", 1)[0] == "local":
        return None  # local models are exactly the listed ones
    if not is_id(model, namespaced=True):
        return None
    for pattern, template in PATTERNS:
        if template.kind == kind and _matcher(pattern).fullmatch(model):
            return dataclasses.replace(template, id=model, listed=False)
    return None


@lru_cache(maxsize=None)
def _matcher(pattern: str) -> re.Pattern[str]:
    """fnmatch's `*` and `?`, within one path segment: `@cf/*/*` names exactly two more segments."""
    wildcards = {"*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(c) or re.escape(c) for c in pattern))


_KIND_NAMES: dict[Kind, str] = {
    "chat": "a chat model", "embedding": "an embedding model", "image": "an image model",
    "speech": "a text-to-speech model", "transcription": "a transcription model",
    "sound": "a sound generation model", "moderation": "a moderation model", "rerank": "a rerank model",
    "video": "a video model", "music": "a music model", "document": "a document model",
    "realtime": "a realtime model"}


def unknown_prefix(model: str) -> InvalidRequest | None:
    """A 400 for a `provider:model` id whose provider this gateway does not know, else None."""
    prefix = provider_ids.prefix_of(model)
    if prefix is None:
        return None
    declared = tuple(u.name for u in custom_upstreams())
    if provider_ids.provider_named(prefix, declared) is not None:
        return None
    return InvalidRequest(f"model: {prefix!r} is not a provider this gateway serves (known: "
                          f"{', '.join(provider_ids.known_prefixes(declared))})", code="unknown_provider", param="model")


def served_as(model: str, kind: Kind) -> ModelSpec:
    """`model` as a model of `kind`, or a 404 naming the `model` param."""
    if (bad_prefix := unknown_prefix(model)) is not None:
        raise bad_prefix
    spec = resolve(model, kind)
    if spec is None and (problem := id_problem(model, namespaced=True)) is not None:
        raise InvalidRequest(f"model: a model name {problem}", code="invalid_value", param="model")
    if spec is None:
        raise ModelNotFound(f"The model {model!r} is not {_KIND_NAMES.get(kind, 'a ' + kind + ' model')} "
                            "served by this gateway", param="model")
    return spec


def require_capability(spec: ModelSpec, capability: str, what: str) -> None:
    """A listed model that cannot do `what` is a 400 before anything is reserved (unlisted ones are
    left to the upstream, which knows its new models better than the catalog)."""
    if spec.listed and capability not in spec.capabilities:
        raise InvalidRequest(f"{spec.id} does not support {what}", code="unsupported_model", param="model")


def lookup(model: str) -> ModelSpec | None:
    """The spec of `model` whatever its kind (for GET /v1/models/{id})."""
    for kind in _KINDS:
        spec = resolve(model, kind)
        if spec is not None:
            return spec
    return None


def listed_models() -> list[ModelSpec]:
    """What /v1/models shows: declared upstreams' models, then the catalog's listed entries (not the
    gateway's own priced services, which are entries with listed=False)."""
    custom = [spec for upstream in custom_upstreams() for model in upstream.models
              if (spec := upstream.spec_for(model)) is not None]
    declared = {c.id for c in custom}
    return custom + [spec for spec in CATALOG.values() if spec.listed and spec.id not in declared]
