"""Which model answers a request that names none: the catalog's default for the kind whose provider
is configured now (catalog/defaults.py).

    default_model("embedding")   # "text-embedding-3-small" with OPENAI_API_KEY set
"""

from __future__ import annotations

from tollway.catalog.defaults import DEFAULT_MODELS
from tollway.catalog.models import resolve
from tollway.catalog.spec import Kind
from tollway.errors import InvalidRequest
from tollway.providers import configured_providers


def default_model(kind: Kind) -> str:
    names = DEFAULT_MODELS.get(kind)
    if not names:
        raise InvalidRequest("model: this request needs a model", code="missing_required_parameter", param="model")
    usable = configured_providers()
    for name in names:
        spec = resolve(name, kind)
        if spec is not None and spec.provider in usable:
            return name
    return names[0]  # none configured: the first answers as any unconfigured model does (503)
