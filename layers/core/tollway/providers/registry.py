"""Provider name → adapter. Adding a provider touches this table and the catalog, nothing else.

    provider_for("openai")                      # the chat adapter
    adapter_for("workers_ai", IMAGE_GENERATION) # the adapter of a provider that has this capability
    adapter_for("workers_ai", IMAGE_EDITS)      # NotImplementedYet (501): Workers AI has no image edits
    adapter_for("elevenlabs", SOUND)            # ProviderNotConfigured (503) without ELEVENLABS_API_KEY
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from tollway.catalog.custom_upstreams import custom_upstreams
from tollway.errors import InvalidRequest, NotImplementedYet, ProviderNotConfigured
from tollway.providers.base import ChatProvider

if TYPE_CHECKING:  # the media protocols are imported by the functions that serve media, not by every one
    from tollway.providers.media_base import Capability

# Providers the catalog names whose adapters are not built yet: asking for them is an honest 501.
PLANNED: dict[str, str] = {}

C = TypeVar("C")


@lru_cache(maxsize=None)
def _adapter(name: str) -> ChatProvider | None:
    from tollway.providers.openai_compatible import OpenAICompatibleProvider, UpstreamConfig

    upstreams = {
        "openai": UpstreamConfig.built_in("openai", "OPENAI", "https://api.openai.com/v1",
                                          token_limit_param="max_completion_tokens"),
        "groq": UpstreamConfig.built_in("groq", "GROQ", "https://api.groq.com/openai/v1"),
        "deepseek": UpstreamConfig.built_in("deepseek", "DEEPSEEK", "https://api.deepseek.com/v1"),
    }
    if name in upstreams:
        return OpenAICompatibleProvider(upstreams[name])
    if name == "anthropic":
        from tollway.providers.anthropic import AnthropicProvider

        return AnthropicProvider(UpstreamConfig.built_in("anthropic", "ANTHROPIC", "https://api.anthropic.com"))
    if name == "gemini":
        from tollway.providers.gemini import GeminiProvider

        return GeminiProvider(UpstreamConfig.built_in("gemini", "GEMINI", "https://generativelanguage.googleapis.com"))
    if name == "local":
        from tollway.providers.local_echo import LocalEchoProvider

        return LocalEchoProvider()
    for declared in custom_upstreams():
        if declared.name == name:
            return OpenAICompatibleProvider(UpstreamConfig(
                declared.name, declared.api_key_env, None, declared.base_url, declared.token_limit_param,
                declared.auth_header, tuple(declared.query.items())))
    return None


@lru_cache(maxsize=None)
def _media_adapters(name: str) -> tuple[object, ...]:
    """A provider's adapters for everything but chat (imported only when asked for)."""
    if name == "openai":
        from tollway.providers.openai_media import OpenAIMedia

        return (OpenAIMedia("openai", "OPENAI", "https://api.openai.com/v1"),)
    if name == "groq":
        from tollway.providers.openai_media import OpenAITranscriber

        return (OpenAITranscriber("groq", "GROQ", "https://api.groq.com/openai/v1"),)
    if name == "gemini":
        from tollway.providers.gemini_embeddings import GeminiEmbeddings

        return (GeminiEmbeddings(),)
    if name == "workers_ai":
        from tollway.providers.workers_ai import WorkersAI

        return (WorkersAI(),)
    if name == "elevenlabs":
        from tollway.providers.elevenlabs import ElevenLabs

        return (ElevenLabs(),)
    from tollway.providers.rerank import RERANK_UPSTREAMS, CohereCompatibleReranker

    if name in RERANK_UPSTREAMS:
        return (CohereCompatibleReranker(RERANK_UPSTREAMS[name]),)
    return ()


MEDIA_PROVIDERS = ("openai", "groq", "gemini", "workers_ai", "elevenlabs", "cohere", "jina", "voyage")


def provider_for(name: str) -> ChatProvider:
    if name == "auto":  # endpoints/auto.py picks a real model first; anything else reaching here is misrouted
        raise InvalidRequest("The auto models answer on POST /v1/chat/completions only", param="model")
    adapter = _adapter(name)
    if adapter is None:
        if name in PLANNED:
            raise NotImplementedYet(f"{PLANNED[name]} are not supported by this gateway yet")
        raise ProviderNotConfigured(f"no adapter for provider {name!r}")
    if not adapter.configured():
        raise ProviderNotConfigured(
            f"provider {name!r} is not configured: the operator must set its API key or base URL")
    return adapter


def adapter_for(name: str, capability: Capability[C]) -> C:
    """The adapter serving `capability` (one of media_base's) for provider `name`."""
    adapters = _media_adapters(name)
    found = next((c for c in map(capability.of, adapters) if c is not None), None)
    if found is None:
        if not adapters and _adapter(name) is None:
            raise ProviderNotConfigured(f"no adapter for provider {name!r}")
        raise NotImplementedYet(f"provider {name!r} does not offer {capability.description}")
    if not found.configured():  # type: ignore[attr-defined]
        raise ProviderNotConfigured(
            f"provider {name!r} is not configured: the operator must set its API key or base URL")
    return found


def configured_providers() -> set[str]:
    names = {"openai", "groq", "deepseek", "anthropic", "gemini", "local"} | {u.name for u in custom_upstreams()}
    chat = {n for n in names if (a := _adapter(n)) is not None and a.configured()}
    chat.add("auto")  # the auto models always answer: at worst with local/echo
    media = {n for n in MEDIA_PROVIDERS if any(a.configured() for a in _media_adapters(n))}  # type: ignore[attr-defined]
    return chat | media


def reset() -> None:
    """Forget adapters (and their pooled clients) and declared upstreams: tests that change settings."""
    _adapter.cache_clear()
    custom_upstreams.cache_clear()
    _media_adapters.cache_clear()
