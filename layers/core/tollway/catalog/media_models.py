"""Embedding, image, audio, moderation and rerank models: prices, and the patterns for the rest.

    resolve("dall-e-3", "image").unit_cost(2)           # 1_000_000 µc: 0.5 credits per image
    resolve("text-embedding-3-small", "embedding").cost(100, 0)   # 2_000 µc: 0.00002 per token

Embeddings are priced per input token; everything else per unit (`unit` says which: an image
returned, or a request). Moderation is free but still admitted, rate limited and recorded.
A model that matches a pattern but is not listed is charged its kind's UNLISTED price.
"""

from __future__ import annotations

from typing import Any

from tollway.catalog.spec import Kind, ModelSpec, credits_to_micro, per_unit, priced

EMBEDDING = frozenset({"embedding"})
GENERATE, EDIT, VARIATION = "generate", "edit", "variation"
TRANSCRIBE, TRANSLATE = "transcription", "translation"


def _embedding(model_id: str, provider: str, credits_per_token: str, dimensions: int) -> ModelSpec:
    return priced(model_id, provider, credits_per_token, kind="embedding", capabilities=EMBEDDING,
                  context_length=8_192, max_output_tokens=dimensions, output_modalities=())


def _image(model_id: str, provider: str, *capabilities: str) -> ModelSpec:
    return per_unit(model_id, provider, "image", "0.5", "image", capabilities=frozenset(capabilities),
                    output_modalities=("image",))


def _speech(model_id: str, provider: str) -> ModelSpec:
    return per_unit(model_id, provider, "speech", "1.0", "request", output_modalities=("audio",))


def _transcription(model_id: str, provider: str, *capabilities: str) -> ModelSpec:
    return per_unit(model_id, provider, "transcription", "0.5", "request", capabilities=frozenset(capabilities),
                    input_modalities=("audio",))


ENTRIES: tuple[ModelSpec, ...] = (
    # max_output_tokens holds an embedding model's native dimensions.
    _embedding("text-embedding-3-small", "openai", "0.00002", 1_536),
    _embedding("text-embedding-3-large", "openai", "0.00013", 3_072),
    _embedding("text-embedding-ada-002", "openai", "0.0001", 1_536),
    _embedding("text-embedding-004", "gemini", "0.00002", 768),
    _image("gpt-image-1", "openai", GENERATE, EDIT),
    _image("dall-e-3", "openai", GENERATE),
    _image("dall-e-2", "openai", GENERATE, EDIT, VARIATION),
    _image("@cf/stabilityai/stable-diffusion-xl-base-1.0", "workers_ai", GENERATE),
    _speech("tts-1", "openai"),
    _speech("tts-1-hd", "openai"),
    _speech("gpt-4o-mini-tts", "openai"),
    _speech("eleven_multilingual_v2", "elevenlabs"),
    _speech("eleven_turbo_v2_5", "elevenlabs"),
    _speech("eleven_flash_v2_5", "elevenlabs"),
    _transcription("whisper-1", "openai", TRANSCRIBE, TRANSLATE),
    _transcription("gpt-4o-transcribe", "openai", TRANSCRIBE),
    _transcription("gpt-4o-mini-transcribe", "openai", TRANSCRIBE),
    _transcription("whisper-large-v3", "groq", TRANSCRIBE, TRANSLATE),
    _transcription("whisper-large-v3-turbo", "groq", TRANSCRIBE),
    per_unit("eleven_text_to_sound_v2", "elevenlabs", "sound", "1.0", "request", output_modalities=("audio",)),
    per_unit("omni-moderation-latest", "openai", "moderation", "0", "request", input_modalities=("text", "image")),
    per_unit("text-moderation-latest", "openai", "moderation", "0", "request"),
    per_unit("rerank-v3.5", "cohere", "rerank", "0.002", "request"),
    per_unit("rerank-english-v3.0", "cohere", "rerank", "0.002", "request"),
    per_unit("rerank-multilingual-v3.0", "cohere", "rerank", "0.002", "request"),
    per_unit("jina-reranker-v2-base-multilingual", "jina", "rerank", "0.002", "request"),
    per_unit("rerank-2", "voyage", "rerank", "0.002", "request"),
    per_unit("rerank-2-lite", "voyage", "rerank", "0.002", "request"),
    # Offline and deterministic (providers/local_media.py), priced like local/echo: a little, so 402
    # and limits are real locally. max_output_tokens holds the embedding's native dimensions.
    _embedding("local/embedding", "local", "0.000001", 256),
    per_unit("local/image", "local", "image", "0.001", "image", capabilities=frozenset({GENERATE, EDIT, VARIATION}),
             output_modalities=("image",)),
    per_unit("local/speech", "local", "speech", "0.001", "request", output_modalities=("audio",)),
    per_unit("local/sound", "local", "sound", "0.001", "request", output_modalities=("audio",)),
    per_unit("local/transcription", "local", "transcription", "0.001", "request",
             capabilities=frozenset({TRANSCRIBE, TRANSLATE}), input_modalities=("audio",)),
    per_unit("local/rerank", "local", "rerank", "0.000001", "request"),
    per_unit("local/moderation", "local", "moderation", "0", "request", input_modalities=("text", "image")),
    # Realtime sessions: a flat price per minted session (the client talks to OpenAI directly afterwards).
    per_unit("gpt-realtime", "openai", "realtime", "2.0", "session", input_modalities=("text", "audio", "image"),
             output_modalities=("text", "audio")),
    per_unit("gpt-4o-realtime-preview", "openai", "realtime", "2.0", "session", input_modalities=("text", "audio"),
             output_modalities=("text", "audio")),
    per_unit("gpt-4o-mini-realtime-preview", "openai", "realtime", "0.5", "session",
             input_modalities=("text", "audio"), output_modalities=("text", "audio")),
    # Workers AI, by `workers-ai:<short name>` (catalog/provider_ids.py); prices are this gateway's.
    _embedding("@cf/baai/bge-m3", "workers_ai", "0.00001", 1_024),
    per_unit("@cf/baai/bge-reranker-base", "workers_ai", "rerank", "0.001", "request"),
    per_unit("@cf/meta/llama-guard-3-8b", "workers_ai", "moderation", "0.001", "request"),
    _transcription("@cf/openai/whisper-large-v3-turbo", "workers_ai", TRANSCRIBE),
    per_unit("@cf/black-forest-labs/flux-1-schnell", "workers_ai", "image", "0.25", "image",
             capabilities=frozenset({GENERATE}), output_modalities=("image",)),
)

# POST /v1/images/analysis: a flat price per analysis, whichever vision model reads the image.
ANALYSIS_PRICE = credits_to_micro("0.5")

# (pattern, provider, kind), first match of the kind wins.
PATTERNS: tuple[tuple[str, str, Kind], ...] = (
    ("text-embedding-3-*", "openai", "embedding"),
    ("text-embedding-ada-*", "openai", "embedding"),
    ("text-embedding-00*", "gemini", "embedding"),
    ("gemini-embedding-*", "gemini", "embedding"),
    ("gpt-image-*", "openai", "image"),
    ("dall-e-*", "openai", "image"),
    ("@cf/*/*", "workers_ai", "image"),
    ("tts-*", "openai", "speech"),
    ("gpt-4o*-tts*", "openai", "speech"),
    ("eleven_*", "elevenlabs", "speech"),
    ("whisper-large-*", "groq", "transcription"),
    ("distil-whisper-*", "groq", "transcription"),
    ("whisper-*", "openai", "transcription"),
    ("gpt-4o*-transcribe*", "openai", "transcription"),
    ("eleven_*sound*", "elevenlabs", "sound"),
    ("*moderation*", "openai", "moderation"),
    ("rerank-v*", "cohere", "rerank"),
    ("rerank-english-*", "cohere", "rerank"),
    ("rerank-multilingual-*", "cohere", "rerank"),
    ("jina-reranker-*", "jina", "rerank"),
    ("rerank-2*", "voyage", "rerank"),
    ("rerank-lite-*", "voyage", "rerank"),
    ("gpt-*realtime*", "openai", "realtime"),
)

# What an unlisted model of each kind costs until it is priced here (ModelSpec fields).
UNLISTED: dict[Kind, dict[str, Any]] = {
    "embedding": {"input_price": credits_to_micro("0.0001"), "output_price": 0, "capabilities": EMBEDDING},
    "image": {"unit": "image", "unit_price": credits_to_micro("0.5"), "input_price": 0, "output_price": 0,
              "capabilities": frozenset({GENERATE, EDIT, VARIATION})},
    "speech": {"unit": "request", "unit_price": credits_to_micro("1.0"), "input_price": 0, "output_price": 0,
               "capabilities": frozenset({"speech"})},
    "transcription": {"unit": "request", "unit_price": credits_to_micro("0.5"), "input_price": 0, "output_price": 0,
                      "capabilities": frozenset({TRANSCRIBE, TRANSLATE})},
    "sound": {"unit": "request", "unit_price": credits_to_micro("1.0"), "input_price": 0, "output_price": 0,
              "capabilities": frozenset({"sound"})},
    "moderation": {"unit": "request", "unit_price": 0, "input_price": 0, "output_price": 0,
                   "capabilities": frozenset({"moderation"})},
    "rerank": {"unit": "request", "unit_price": credits_to_micro("0.002"), "input_price": 0, "output_price": 0,
               "capabilities": frozenset({"rerank"})},
    "realtime": {"unit": "session", "unit_price": credits_to_micro("2.0"), "input_price": 0, "output_price": 0,
                 "capabilities": frozenset({"realtime"})},
}
