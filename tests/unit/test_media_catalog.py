"""Media models: one catalog decides provider, kind and price; unlisted models of a known family are
served at their kind's default price, and a name never resolves as another kind's model."""

from decimal import Decimal

import pytest

from tollway.catalog import resolve
from tollway.catalog.spec import Kind

MICRO = Decimal(1_000_000)


@pytest.mark.parametrize(("model", "kind", "provider", "credits", "unit"), [
    ("gpt-image-1", "image", "openai", "0.5", "image"),
    ("dall-e-3", "image", "openai", "0.5", "image"),
    ("@cf/stabilityai/stable-diffusion-xl-base-1.0", "image", "workers_ai", "0.5", "image"),
    ("tts-1", "speech", "openai", "1", "request"),
    ("eleven_multilingual_v2", "speech", "elevenlabs", "1", "request"),
    ("whisper-1", "transcription", "openai", "0.5", "request"),
    ("whisper-large-v3", "transcription", "groq", "0.5", "request"),
    ("eleven_text_to_sound_v2", "sound", "elevenlabs", "1", "request"),
    ("omni-moderation-latest", "moderation", "openai", "0", "request"),
    ("rerank-v3.5", "rerank", "cohere", "0.002", "request"),
    ("jina-reranker-v2-base-multilingual", "rerank", "jina", "0.002", "request"),
    ("rerank-2", "rerank", "voyage", "0.002", "request"),
])
def test_unit_priced_models_carry_their_price(model: str, kind: Kind, provider: str, credits: str, unit: str) -> None:
    spec = resolve(model, kind)
    assert spec is not None and spec.listed and spec.provider == provider and spec.unit == unit
    assert spec.unit_cost(2) == 2 * int(Decimal(credits) * MICRO)


@pytest.mark.parametrize(("model", "provider", "credits_per_token"), [
    ("text-embedding-3-small", "openai", "0.00002"), ("text-embedding-3-large", "openai", "0.00013"),
    ("text-embedding-004", "gemini", "0.00002")])
def test_embedding_models_are_priced_per_input_token(model: str, provider: str, credits_per_token: str) -> None:
    spec = resolve(model, "embedding")
    assert spec is not None and spec.provider == provider
    assert spec.cost(1000, 0) == int(Decimal(credits_per_token) * MICRO) * 1000


@pytest.mark.parametrize(("model", "kind", "provider", "price"), [
    ("text-embedding-3-huge", "embedding", "openai", 100), ("gemini-embedding-001", "embedding", "gemini", 100),
    ("gpt-image-2", "image", "openai", 500_000),
    ("@cf/lykon/dreamshaper-8-lcm", "image", "workers_ai", 500_000),
    ("tts-2", "speech", "openai", 1_000_000), ("eleven_v3", "speech", "elevenlabs", 1_000_000),
    ("whisper-large-v3-turbo-2", "transcription", "groq", 500_000), ("whisper-2", "transcription", "openai", 500_000),
    ("text-moderation-007", "moderation", "openai", 0), ("rerank-2.5", "rerank", "voyage", 2_000),
    ("rerank-v4.0", "rerank", "cohere", 2_000),
])
def test_unlisted_media_models_resolve_by_pattern_at_their_kinds_price(model: str, kind: Kind, provider: str,
                                                                      price: int) -> None:
    spec = resolve(model, kind)
    assert spec is not None and not spec.listed and spec.provider == provider and spec.kind == kind
    assert (spec.cost(1, 0) if kind == "embedding" else spec.unit_cost(1)) == price
    assert {"image": "generate"}.get(kind, kind) in spec.capabilities


@pytest.mark.parametrize(("model", "kind"), [("gpt-4o-mini", "image"), ("dall-e-3", "chat"), ("tts-1", "chat"),
                                             ("text-embedding-3-small", "chat"), ("whisper-1", "speech"),
                                             ("gpt-image-1", "embedding"), ("local/echo", "embedding")])
def test_a_model_never_resolves_as_another_kind(model: str, kind: Kind) -> None:
    assert resolve(model, kind) is None
