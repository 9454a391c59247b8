"""Provider name → adapter. Adding a provider touches this table and the catalog, nothing else."""

from __future__ import annotations

from functools import lru_cache

from tollway.catalog.custom_upstreams import custom_upstreams
from tollway.errors import NotImplementedYet, ProviderNotConfigured
from tollway.providers.base import ChatProvider

# Providers the catalog names whose adapters are not built yet: asking for them is an honest 501.
PLANNED: dict[str, str] = {}


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


def provider_for(name: str) -> ChatProvider:
    adapter = _adapter(name)
    if adapter is None:
        if name in PLANNED:
            raise NotImplementedYet(f"{PLANNED[name]} are not supported by this gateway yet")
        raise ProviderNotConfigured(f"no adapter for provider {name!r}")
    if not adapter.configured():
        raise ProviderNotConfigured(
            f"provider {name!r} is not configured: the operator must set its API key or base URL")
    return adapter


def configured_providers() -> set[str]:
    names = {"openai", "groq", "deepseek", "anthropic", "gemini", "local"} | {u.name for u in custom_upstreams()}
    return {n for n in names if (a := _adapter(n)) is not None and a.configured()}


def reset() -> None:
    """Forget adapters (and their pooled clients) and declared upstreams: tests that change settings."""
    _adapter.cache_clear()
    custom_upstreams.cache_clear()
