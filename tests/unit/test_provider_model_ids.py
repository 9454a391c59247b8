"""`provider:model` ids resolve in one place (catalog.resolve), only to that provider's models, and
never carry a name that the id grammar refuses toward an upstream URL."""

from __future__ import annotations

import pytest

from tollway.catalog import listed_models, resolve
from tollway.catalog.models import served_as
from tollway.catalog.provider_ids import canonical_id
from tollway.errors import InvalidRequest, ModelNotFound


@pytest.mark.parametrize("model, kind, spec_id, provider", [
    ("openai:gpt-4o", "chat", "gpt-4o", "openai"),
    ("anthropic:claude-sonnet-4-20250514", "chat", "claude-sonnet-4-20250514", "anthropic"),
    ("workers-ai:llama-3.1-8b-instruct", "chat", "@cf/meta/llama-3.1-8b-instruct", "workers_ai"),
    ("workers-ai:bge-m3", "embedding", "@cf/baai/bge-m3", "workers_ai"),
    ("workers-ai:bge-reranker-base", "rerank", "@cf/baai/bge-reranker-base", "workers_ai"),
    ("workers-ai:llama-guard-3-8b", "moderation", "@cf/meta/llama-guard-3-8b", "workers_ai"),
    ("workers-ai:whisper-large-v3-turbo", "transcription", "@cf/openai/whisper-large-v3-turbo", "workers_ai"),
    ("workers-ai:flux-1-schnell", "image", "@cf/black-forest-labs/flux-1-schnell", "workers_ai"),
    ("google:gemini-2.5-flash", "chat", "gemini-2.5-flash", "gemini"),
    ("local:echo", "chat", "local/echo", "local"),
    ("openai:gpt-5-preview", "chat", "gpt-5-preview", "openai"),  # a pattern match keeps its provider
    ("gpt-4o", "chat", "gpt-4o", "openai"),  # bare names keep working
    ("whisper-large-v3-turbo", "transcription", "whisper-large-v3-turbo", "groq"),
])
def test_a_provider_id_resolves_to_that_providers_model(model: str, kind, spec_id: str, provider: str) -> None:
    spec = resolve(model, kind)
    assert spec is not None and (spec.id, spec.provider) == (spec_id, provider)


@pytest.mark.parametrize("model", [
    "openai:claude-sonnet-4-20250514",  # another provider's model
    "anthropic:gpt-4o",
    "workers-ai:gpt-4o",
    "openai:../../v1/files",  # never a path toward the upstream
    "openai:gpt-4o/../x",
    "openai:gpt-4o?x=1",
    "openai:",
    "acme:gpt-4o",  # no such provider
    "gpt-4o:latest",
])
def test_a_provider_id_never_reaches_another_provider_or_a_bad_path(model: str) -> None:
    assert resolve(model) is None


def test_an_unknown_prefix_is_a_400_naming_the_model_and_the_known_providers() -> None:
    with pytest.raises(InvalidRequest) as refused:
        served_as("acme:bge-m3", "embedding")
    assert refused.value.param == "model" and refused.value.code == "unknown_provider"
    assert "workers-ai" in refused.value.message and "openai" in refused.value.message
    with pytest.raises(ModelNotFound):
        served_as("openai:bge-m3", "embedding")


def test_every_listed_models_canonical_id_resolves_back_to_it() -> None:
    for spec in listed_models():
        assert resolve(canonical_id(spec), spec.kind) == spec, canonical_id(spec)
