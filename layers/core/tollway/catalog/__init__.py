"""The model catalog: which provider serves a model, what it can do, what it costs.

    from tollway.catalog import resolve
    spec = resolve("gpt-4o-mini")      # ModelSpec(provider="openai", output_price=800, ...)
    spec.cost(prompt_tokens=10, completion_tokens=20)  # micro-credits
"""

from tollway.catalog.models import CATALOG, listed_models, lookup, require_capability, resolve, served_as
from tollway.catalog.spec import ModelSpec

__all__ = ["CATALOG", "ModelSpec", "listed_models", "lookup", "require_capability", "resolve", "served_as"]
