"""The model that answers when a request names none (speech, transcription, embeddings, rerank,
moderations): the first of its kind's list whose provider is configured, else the first.

    DEFAULT_MODELS["embedding"]     # ("text-embedding-3-small", "text-embedding-004", "@cf/baai/bge-m3")

The answer names the model it used in `x-model-used`, as every answer does.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tollway.catalog.spec import Kind

DEFAULT_MODELS: Mapping[Kind, tuple[str, ...]] = MappingProxyType({
    "speech": ("tts-1", "eleven_multilingual_v2"),
    "transcription": ("whisper-1", "whisper-large-v3-turbo", "@cf/openai/whisper-large-v3-turbo"),
    "embedding": ("text-embedding-3-small", "text-embedding-004", "@cf/baai/bge-m3"),
    "rerank": ("rerank-v3.5", "jina-reranker-v2-base-multilingual", "rerank-2", "@cf/baai/bge-reranker-base"),
    "moderation": ("omni-moderation-latest", "@cf/meta/llama-guard-3-8b"),
    "realtime": ("gpt-realtime",),
})
