"""The registry finds an adapter by (provider, capability): 503 when the provider is not configured,
501 when it does not offer the capability."""

import pytest

from tollway.errors import NotImplementedYet, ProviderNotConfigured
from tollway.providers import registry
from tollway.providers.media_base import (EMBEDDINGS, IMAGE_EDITS, IMAGE_GENERATION, IMAGE_VARIATIONS, MODERATION,
                                          RERANK, SOUND, SPEECH, TRANSCRIPTION, TRANSLATION)

ALL_ENV = {"OPENAI_API_KEY": "k", "GROQ_API_KEY": "k", "GEMINI_API_KEY": "k", "CF_ACCOUNT_ID": "a",
           "CF_API_TOKEN": "t", "ELEVENLABS_API_KEY": "k", "COHERE_API_KEY": "k", "JINA_API_KEY": "k",
           "VOYAGE_API_KEY": "k"}


@pytest.fixture()
def providers(monkeypatch: pytest.MonkeyPatch):
    def configure(env: dict[str, str]) -> None:
        for name in ALL_ENV:
            monkeypatch.delenv(name, raising=False)
            monkeypatch.delenv(name.replace("_API_KEY", "_BASE_URL"), raising=False)
        monkeypatch.delenv("CF_BASE_URL", raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        registry.reset()

    yield configure
    registry.reset()


@pytest.mark.parametrize(("provider", "capabilities"), [
    ("openai", {EMBEDDINGS, IMAGE_GENERATION, IMAGE_EDITS, IMAGE_VARIATIONS, SPEECH, TRANSCRIPTION, TRANSLATION,
                MODERATION}),
    ("groq", {TRANSCRIPTION, TRANSLATION}), ("gemini", {EMBEDDINGS}), ("workers_ai", {IMAGE_GENERATION}),
    ("elevenlabs", {SPEECH, SOUND}), ("cohere", {RERANK}), ("jina", {RERANK}), ("voyage", {RERANK}),
])
def test_each_provider_offers_exactly_its_capabilities(providers, provider: str, capabilities: set) -> None:
    providers(ALL_ENV)
    for capability in (EMBEDDINGS, IMAGE_GENERATION, IMAGE_EDITS, IMAGE_VARIATIONS, SPEECH, SOUND, TRANSCRIPTION,
                       TRANSLATION, MODERATION, RERANK):
        if capability in capabilities:
            assert isinstance(registry.adapter_for(provider, capability), capability.protocol)
        else:
            with pytest.raises(NotImplementedYet):
                registry.adapter_for(provider, capability)


def test_a_provider_without_credentials_is_not_configured(providers) -> None:
    providers({"CF_API_TOKEN": "t"})  # no account id: Workers AI cannot be called
    with pytest.raises(ProviderNotConfigured):
        registry.adapter_for("workers_ai", IMAGE_GENERATION)
    with pytest.raises(ProviderNotConfigured):
        registry.adapter_for("nobody", EMBEDDINGS)
    assert "workers_ai" not in registry.configured_providers()
    providers(ALL_ENV)
    assert {"workers_ai", "elevenlabs", "cohere", "jina", "voyage", "gemini"} <= registry.configured_providers()


def test_a_base_url_alone_configures_a_self_hosted_upstream(providers) -> None:
    providers({"COHERE_BASE_URL": "http://127.0.0.1:9/v2"})
    assert registry.adapter_for("cohere", RERANK).configured()
