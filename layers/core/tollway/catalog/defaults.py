"""The model that answers when a request names none: the first of its purpose's list whose provider
is configured (routing/defaults.py), so a gateway with no provider keys at all answers with the
offline local/* models.

    DEFAULT_MODELS["embedding"]     # ("text-embedding-3-small", "text-embedding-004", "local/embedding")

A purpose is a catalog kind, or for images and audio the capability asked for (generate, edit,
variation, translation). The answer names the model it used in `x-model-used`, as every answer does.
Workers AI's embedding, rerank, moderation and transcription models are priced but not served yet
(501), so they are no default.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

DEFAULT_MODELS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "speech": ("tts-1", "eleven_multilingual_v2", "local/speech"),
    "transcription": ("whisper-1", "whisper-large-v3-turbo", "local/transcription"),
    "translation": ("whisper-1", "whisper-large-v3", "local/transcription"),
    "embedding": ("text-embedding-3-small", "text-embedding-004", "local/embedding"),
    "rerank": ("rerank-v3.5", "jina-reranker-v2-base-multilingual", "rerank-2", "local/rerank"),
    "moderation": ("omni-moderation-latest", "local/moderation"),
    "realtime": ("gpt-realtime",),
    "generate": ("gpt-image-1", "@cf/stabilityai/stable-diffusion-xl-base-1.0", "local/image"),
    "edit": ("gpt-image-1", "local/image"),
    "variation": ("dall-e-2", "local/image"),
    "sound": ("eleven_text_to_sound_v2", "local/sound"),
})
