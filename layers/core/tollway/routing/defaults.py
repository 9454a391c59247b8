"""The model that answers a request naming none: the first of the catalog's defaults for its purpose
whose provider is configured, so a gateway with no provider keys answers with the offline local/*
models.

    default_model("transcription")    # "whisper-1" with OpenAI configured, else … "local/transcription"
"""

from __future__ import annotations

from tollway.catalog import resolve
from tollway.catalog.media_models import DEFAULTS
from tollway.catalog.spec import Kind
from tollway.providers import configured_providers

# A purpose that is not itself a catalog kind → the kind its models are.
_KIND_OF: dict[str, Kind] = {"generate": "image", "edit": "image", "variation": "image",
                             "translation": "transcription", "transcription": "transcription",
                             "moderation": "moderation", "sound": "sound"}


def default_model(purpose: str) -> str:
    preferences = DEFAULTS[purpose]
    usable = configured_providers()
    for model in preferences:
        spec = resolve(model, _KIND_OF[purpose])
        if spec is not None and spec.provider in usable:
            return model
    return preferences[0]
