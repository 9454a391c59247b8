"""Which model answers a request that names none: the first of the catalog's defaults for its purpose
whose provider is configured now (catalog/defaults.py), else the first.

    default_model("embedding")       # "text-embedding-3-small" with OPENAI_API_KEY set, else … "local/embedding"
    default_model("translation")     # "whisper-1", … "local/transcription"
"""

from __future__ import annotations

from tollway.catalog.defaults import DEFAULT_MODELS
from tollway.catalog.models import resolve
from tollway.catalog.spec import Kind
from tollway.errors import InvalidRequest
from tollway.providers import configured_providers

# A purpose that is not itself a catalog kind → the kind its models are.
_KIND_OF: dict[str, Kind] = {"generate": "image", "edit": "image", "variation": "image", "translation": "transcription"}


def default_model(purpose: str) -> str:
    names = DEFAULT_MODELS.get(purpose)
    if not names:
        raise InvalidRequest("model: this request needs a model", code="missing_required_parameter", param="model")
    kind: Kind = _KIND_OF.get(purpose, purpose)  # type: ignore[assignment]
    usable = configured_providers()
    for name in names:
        spec = resolve(name, kind)
        if spec is not None and spec.provider in usable:
            return name
    return names[0]  # none configured: the first answers as any unconfigured model does (503)
