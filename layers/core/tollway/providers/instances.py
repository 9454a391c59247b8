"""Provider instances: the names the catalog routes models to, each an instance of a provider type.

    instance("groq")     # ProviderInstance("groq", "groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY", …)
    instance("ollama")   # one the operator declared in TOLLWAY_UPSTREAMS: type "openai-compatible"
    instances()          # all of them, by name

An instance says where its adapters connect and how: a base URL, the variable its key is read from
(environment first, then the provider secret), the variable an operator may override the base URL
with (built-in instances only), and settings for its adapters. Which adapters it has is its type's
(providers/registry.py: TYPES). Built-in providers and declared upstreams are instances of the same
shape; so will be the providers registered at run time ({id, name, type, baseUrl, defaultModel,
envVar}: name, type, base_url, key_env).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from tollway.catalog.custom_upstreams import CustomUpstream, custom_upstreams

if TYPE_CHECKING:
    from tollway.catalog.provider_registry import RegisteredProvider  # httpx comes with it: imported by the adapters, not by every function
    from tollway.providers.http_upstream import UpstreamConfig


@dataclass(frozen=True)
class ProviderInstance:
    name: str
    type: str  # a key of providers.registry.TYPES
    base_url: str | None = None
    key_env: str | None = None  # where its key is read: environment first, then the provider secret
    base_url_env: str | None = None  # where an operator's override of base_url is read
    token_limit_param: str | None = None  # None: the adapter's own (OpenAI's reasoning models refuse max_tokens)
    auth_header: str | None = None  # None: the adapter's own way of sending the key
    query: tuple[tuple[str, str], ...] = ()  # added to every request (Azure's api-version)
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)  # adapter settings

    def upstream(self, *, auth_header: str = "authorization", token_limit_param: str = "max_tokens",
                 path: str = "") -> UpstreamConfig:
        """The connection of one of this instance's adapters, given the adapter's own defaults: how its
        wire format sends the key, and the path of its API under the instance's base URL. An override
        of the base URL (`base_url_env`) is the adapter's whole base, as it always was."""
        from tollway.providers.http_upstream import UpstreamConfig

        base_url = self.base_url + path if self.base_url is not None else None
        return UpstreamConfig(self.name, self.key_env, self.base_url_env, base_url,
                              token_limit_param=self.token_limit_param or token_limit_param,
                              auth_header=self.auth_header or auth_header, query=self.query)


def built_in(name: str, type_: str, prefix: str, base_url: str, *, key_variable: str = "API_KEY",
             token_limit_param: str | None = None, **extra: str) -> ProviderInstance:
    """<PREFIX>_API_KEY and <PREFIX>_BASE_URL, like OPENAI_API_KEY / OPENAI_BASE_URL."""
    return ProviderInstance(name, type_, base_url, f"{prefix}_{key_variable}", f"{prefix}_BASE_URL",
                            token_limit_param=token_limit_param, extra=MappingProxyType(extra))


BUILT_IN: Mapping[str, ProviderInstance] = MappingProxyType({i.name: i for i in (
    built_in("openai", "openai", "OPENAI", "https://api.openai.com/v1", token_limit_param="max_completion_tokens"),
    built_in("groq", "groq", "GROQ", "https://api.groq.com/openai/v1"),
    built_in("deepseek", "openai-compatible", "DEEPSEEK", "https://api.deepseek.com/v1"),
    built_in("anthropic", "anthropic", "ANTHROPIC", "https://api.anthropic.com"),
    built_in("gemini", "gemini", "GEMINI", "https://generativelanguage.googleapis.com"),
    ProviderInstance("local", "local"),
    built_in("workers_ai", "workers-ai", "CF", "https://api.cloudflare.com/client/v4", key_variable="API_TOKEN",
             account_env="CF_ACCOUNT_ID"),
    built_in("elevenlabs", "elevenlabs", "ELEVENLABS", "https://api.elevenlabs.io"),
    built_in("cohere", "cohere-rerank", "COHERE", "https://api.cohere.com/v2"),
    built_in("jina", "cohere-rerank", "JINA", "https://api.jina.ai/v1"),
    built_in("voyage", "cohere-rerank", "VOYAGE", "https://api.voyageai.com/v1", top_param="top_k"),
    built_in("replicate", "replicate", "REPLICATE", "https://api.replicate.com/v1", key_variable="API_TOKEN"),
    # `opencode/<model>` (catalog/namespaces.py): OpenCode Zen, or whatever OPENCODE_BASE_URL names.
    built_in("opencode", "openai-compatible", "OPENCODE", "https://opencode.ai/zen/v1"),
)})

# A registered provider's `type` (the Inference API's names) → the adapter type it is an instance of.
REGISTERED_TYPES: Mapping[str, str] = MappingProxyType({
    "openai": "openai", "anthropic": "anthropic", "google": "gemini", "gemini": "gemini", "groq": "groq",
    "deepseek": "openai-compatible", "openai-compatible": "openai-compatible", "opencode": "openai-compatible",
    "workers-ai": "workers-ai", "elevenlabs": "elevenlabs",
})


def declared(upstream: CustomUpstream) -> ProviderInstance:
    """An upstream of TOLLWAY_UPSTREAMS: its URL is given, and a key only if it names one."""
    return ProviderInstance(upstream.name, "openai-compatible", upstream.base_url, upstream.api_key_env,
                            token_limit_param=upstream.token_limit_param, auth_header=upstream.auth_header,
                            query=tuple(upstream.query.items()))


def registered(provider: RegisteredProvider) -> ProviderInstance:
    """A provider registered at run time: its URL is given (no override), its key read from `env_var`."""
    extra = {"account_env": "CF_ACCOUNT_ID"} if provider.type == "workers-ai" else {}
    return ProviderInstance(provider.name, REGISTERED_TYPES[provider.type], provider.base_url.rstrip("/"),
                            provider.env_var, extra=MappingProxyType(extra))


def instance(name: str) -> ProviderInstance | None:
    # Built-in names first: a declaration that cannot be read must not take the built-ins down with it.
    found = BUILT_IN.get(name) or instances().get(name)
    if found is None:
        from tollway.catalog.provider_registry import snapshot

        provider = snapshot().by_name.get(name)
        found = registered(provider) if provider is not None and provider.type in REGISTERED_TYPES else None
    return found


@cache
def instances() -> Mapping[str, ProviderInstance]:
    """Every instance by name; a declared name is never a built-in one (catalog.custom_upstreams refuses it)."""
    return MappingProxyType({**BUILT_IN, **{u.name: declared(u) for u in custom_upstreams()}})
