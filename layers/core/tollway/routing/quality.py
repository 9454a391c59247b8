"""Quality modes: `quality: auto|low|high|ultra` on chat and responses, for any model.

    raw = with_quality(raw)                       # an auto-* model: the field picks the tier
    limit = default_output_limit(raw, 256, spec)  # high and ultra: room for a longer answer
    body |= reasoning_options(spec, raw, "chat")  # OpenAI's reasoning models: reasoning effort

What each mode does to a named model (it is never swapped for another):
- `auto` (or no field): the model as asked.
- `low`: the least reasoning effort where the model has a setting for it (OpenAI's o-series and
  gpt-5: `reasoning_effort: low`); nothing else changes.
- `high`: the most reasoning effort where there is a setting, and a default output limit four times
  the gateway's (TOLLWAY_DEFAULT_MAX_TOKENS, within the model's own maximum) when the request sets none.
- `ultra`: as high, and on chat one refinement pass: the model's draft is sent back to it for review
  and the reviewed answer is returned; both passes are charged (`x-quality-passes: 2`).
On an `auto*` model the field chooses the tier instead (`low` → auto-low, `high` → auto-high,
`ultra` → auto-ultra). The field is the gateway's and is never sent upstream.
"""

from __future__ import annotations

from typing import Any

from tollway.catalog import ModelSpec
from tollway.catalog.auto_models import AUTO_TIERS
from tollway.errors import InvalidRequest

QUALITIES = ("auto", "low", "high", "ultra")
_TIER_MODELS = {"low": "auto-low", "high": "auto-high", "ultra": "auto-ultra"}
_EFFORT = {"low": "low", "high": "high", "ultra": "high"}
_REASONING_MODELS = ("o1", "o3", "o4", "gpt-5")
LONGER = 4


def quality_of(raw: dict[str, Any]) -> str | None:
    quality = raw.get("quality")
    if quality is None or quality == "auto":
        return None
    if quality not in QUALITIES:
        raise InvalidRequest(f"quality: one of {', '.join(QUALITIES)}", code="invalid_value", param="quality")
    return str(quality)


def with_quality(raw: dict[str, Any]) -> dict[str, Any]:
    """The request with an auto model's tier chosen by its quality (validated here)."""
    quality = quality_of(raw)
    if quality is not None and raw.get("model") in AUTO_TIERS:
        return {k: v for k, v in raw.items() if k != "quality"} | {"model": _TIER_MODELS[quality]}
    return raw


def default_output_limit(raw: dict[str, Any], default: int, spec: ModelSpec) -> int:
    """The output limit when the request sets none."""
    if quality_of(raw) in ("high", "ultra"):
        default *= LONGER
    return min(default, spec.max_output_tokens)


def reasoning_options(spec: ModelSpec, raw: dict[str, Any], surface: str) -> dict[str, Any]:
    """What the mode adds to the upstream body: a reasoning effort where the model takes one and the
    request set none."""
    quality = quality_of(raw)
    if quality is None or spec.provider != "openai" or not spec.id.startswith(_REASONING_MODELS):
        return {}
    if surface == "responses":
        if raw.get("reasoning") is not None:
            return {}
        return {"reasoning": {"effort": _EFFORT[quality]}}
    return {} if raw.get("reasoning_effort") is not None else {"reasoning_effort": _EFFORT[quality]}


def refines(raw: dict[str, Any]) -> bool:
    """Ultra on chat: a second, reviewing pass (not for tool calls, whose answer is not text)."""
    return quality_of(raw) == "ultra" and not raw.get("tools")
