"""`provider:model` ids: the one place a provider prefix is read, and the canonical id of a model.

    split("workers-ai:bge-m3")          # ("workers_ai", ["@cf/baai/bge-m3", "workers_ai/bge-m3", "bge-m3"])
    split("gpt-4o")                     # None: a bare name, resolved as always
    split("acme:gpt-4o")                # ("", []): a prefix naming no provider — resolves to nothing
    canonical_id(resolve("gpt-4o"))     # "openai:gpt-4o"

A prefix is the part before the first `:` when it holds no `/` (so `@cf/meta/x:y` and Ollama's
`qwen2.5:7b` keep their colons). A prefixed name resolves only to a model of that very provider: the
name after the prefix is looked up like a bare one (through the provider's short names first) and the
answer is refused unless its provider is the one named — so a prefix can never carry a name to another
provider's URL, and the name itself passes the same id grammar as every bare name.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tollway.catalog.spec import ModelSpec

# The public names of built-in providers, where they differ from the internal ones.
PUBLIC: Mapping[str, str] = MappingProxyType({"workers_ai": "workers-ai"})
_ALSO = {"google": "gemini", "cloudflare": "workers_ai", "workers_ai": "workers_ai"}
BUILT_IN = ("openai", "anthropic", "gemini", "groq", "deepseek", "workers_ai", "elevenlabs", "cohere", "jina",
            "voyage", "replicate", "local")

# Short names of a provider's models (Workers AI names its models by path).
SHORT_NAMES: Mapping[str, Mapping[str, str]] = MappingProxyType({"workers_ai": MappingProxyType({
    "llama-3.1-8b-instruct": "@cf/meta/llama-3.1-8b-instruct",
    "bge-m3": "@cf/baai/bge-m3",
    "bge-reranker-base": "@cf/baai/bge-reranker-base",
    "llama-guard-3-8b": "@cf/meta/llama-guard-3-8b",
    "whisper-large-v3-turbo": "@cf/openai/whisper-large-v3-turbo",
    "flux-1-schnell": "@cf/black-forest-labs/flux-1-schnell",
    "stable-diffusion-xl-base-1.0": "@cf/stabilityai/stable-diffusion-xl-base-1.0",
})})


def provider_named(prefix: str, declared: tuple[str, ...] = ()) -> str | None:
    """The internal provider a public prefix names (built-in, or an operator's declared upstream)."""
    name = {public: internal for internal, public in PUBLIC.items()}.get(prefix) or _ALSO.get(prefix) or prefix
    return name if name in BUILT_IN or name in declared else None


def prefix_of(model: str) -> str | None:
    prefix, colon, _ = model.partition(":")
    return prefix if colon and prefix and "/" not in prefix else None


def split(model: str, declared: tuple[str, ...] = ()) -> tuple[str, list[str]] | None:
    """(provider, the bare names to try in order), or None for a name with no provider prefix; an
    unknown prefix gives ("", []) so the name resolves to nothing."""
    prefix = prefix_of(model)
    if prefix is None:
        return None
    provider = provider_named(prefix, declared)
    if provider is None:
        return "", []
    name = model[len(prefix) + 1:]
    names = [SHORT_NAMES.get(provider, {}).get(name, name)]
    if f"{provider}/" + name not in names:
        names.append(f"{provider}/{name}")  # local:echo is local/echo
    return provider, names


def known_prefixes(declared: tuple[str, ...] = ()) -> list[str]:
    return sorted({PUBLIC.get(p, p) for p in BUILT_IN} | set(declared))


def canonical_id(spec: ModelSpec) -> str:
    """`provider:model`, with the provider's public name and the model's short name where it has one."""
    if spec.provider == "auto":
        return spec.id  # the gateway's own choice of model, no provider's
    public = PUBLIC.get(spec.provider, spec.provider)
    short = {full: short for short, full in SHORT_NAMES.get(spec.provider, {}).items()}.get(spec.id)
    if short is not None:
        return f"{public}:{short}"
    if spec.id.startswith(spec.provider + "/"):
        return f"{public}:{spec.id[len(spec.provider) + 1:]}"
    if prefix_of(spec.id) is not None:
        return spec.id
    return f"{public}:{spec.id}"
