"""Which models a chat request may be answered by, in order.

    chain = model_chain("gpt-4o", asked=["claude-sonnet-4-20250514"])   # request's own list wins
    chain = model_chain("gpt-4o", asked=None)                           # else the catalog default

A request names alternatives as OpenRouter does (`"models": [...]`, the primary first or not) or as
`"fallbacks": [...]`; `"fallbacks": []` turns the catalog's default chain off. Neither field is sent
upstream.
"""

from __future__ import annotations

from typing import Any

from tollway.catalog.chat_models import DEFAULT_FALLBACKS
from tollway.config import settings

FALLBACK_FIELDS = ("models", "fallbacks")
GATEWAY_FIELDS = (*FALLBACK_FIELDS, "quality")  # read by the gateway, never sent upstream (routing/quality.py)
MAX_CHAIN = 6


def asked_fallbacks(raw: dict[str, Any]) -> list[str] | None:
    """The request's own alternatives (validated as lists of strings at the edge), or None."""
    if "models" not in raw and "fallbacks" not in raw:
        return None
    return [*(raw.get("models") or ()), *(raw.get("fallbacks") or ())]


def model_chain(primary: str, asked: list[str] | None) -> list[str]:
    names = [primary, *(asked if asked is not None else default_fallbacks().get(primary, ()))]
    chain: list[str] = []
    for name in names:
        if name not in chain:
            chain.append(name)
    return chain[:MAX_CHAIN]


def default_fallbacks() -> dict[str, tuple[str, ...]]:
    """The catalog's chains, or the operator's (`TOLLWAY_DEFAULT_FALLBACKS`, JSON; `{}` for none)."""
    chains = settings().default_fallbacks
    return DEFAULT_FALLBACKS if chains is None else chains


def without_fallback_fields(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in GATEWAY_FIELDS}
