"""The model objects of GET /v1/models and /v1/models/{id}.

The list keeps OpenAI's exact shape (`id, object, created, owned_by`). One model adds what a client
needs to choose: provider, kind, capabilities, modalities, limits and prices (in credits, as
decimal strings so no float rounds them), and whether its provider is configured right now.
"""

from __future__ import annotations

from typing import Any

from tollway.catalog import ModelSpec
from tollway.catalog.provider_ids import canonical_id
from tollway.catalog.spec import CREATED
from tollway.ledger.money import format_credits


# The capability flags shown for each kind of model (true or false).
_FLAGS = {"chat": ("stream", "tools", "json", "vision", "files", "audio"),
          "image": ("generate", "edit", "variation"), "transcription": ("transcription", "translation")}


def model_summary(spec: ModelSpec) -> dict[str, Any]:
    return {"id": spec.id, "object": "model", "created": CREATED, "owned_by": spec.provider}


def model_details(spec: ModelSpec, available: bool, *, canonical: bool = False) -> dict[str, Any]:
    """One model; `canonical` names it by its `provider:model` id (the /infra/ai surface)."""
    names = {"id": canonical_id(spec), "aliases": [spec.id]} if canonical else {"canonical_id": canonical_id(spec)}
    if spec.unit == "token":
        pricing = {"unit": "token", "input": format_credits(spec.input_price),
                   "output": format_credits(spec.output_price)}
    else:
        pricing = {"unit": spec.unit, "per_unit": format_credits(spec.unit_price)}
    return model_summary(spec) | names | {
        "provider": spec.provider,
        "kind": spec.kind,
        "capabilities": sorted(spec.capabilities),
        "supports": {c: c in spec.capabilities for c in _FLAGS.get(spec.kind, (spec.kind,))},
        "input_modalities": list(spec.input_modalities),
        "output_modalities": list(spec.output_modalities),
        "context_length": spec.context_length,
        "max_output_tokens": spec.max_output_tokens,
        "pricing": pricing,
        "available": available,
        "catalogued": spec.listed,  # False: matched by name pattern, priced by default
    }
