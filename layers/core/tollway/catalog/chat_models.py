"""Chat models: the product sheet's prices, and the name patterns that pick a provider for the rest.

A model that is not listed but matches a provider's pattern is served at DEFAULT_PRICE, so a
provider's new model works on day one and is charged sensibly until it is priced here.
"""

from __future__ import annotations

from tollway.catalog.spec import CHAT_DOCUMENTS, ModelSpec, priced

_DOCS_IN = ("text", "image", "file")

ENTRIES: tuple[ModelSpec, ...] = (
    # Offline and deterministic: one micro-credit per token, so 402 and limits are real locally.
    ModelSpec("local/echo", "local", 1, 1, context_length=1_000_000, max_output_tokens=100_000),
    priced("gpt-4o", "openai", "0.01", capabilities=CHAT_DOCUMENTS, input_modalities=_DOCS_IN),
    priced("gpt-4o-mini", "openai", "0.0008", capabilities=CHAT_DOCUMENTS, input_modalities=_DOCS_IN),
    priced("o3-mini", "openai", "0.004", context_length=200_000, max_output_tokens=100_000),
    priced("deepseek-v4-flash", "deepseek", "0.0004"),
    priced("deepseek-v4-pro", "deepseek", "0.002"),
    priced("deepseek-reasoner", "deepseek", "0.002", max_output_tokens=64_000),
    priced("llama-3.3-70b-versatile", "groq", "0.0008", max_output_tokens=32_768),
    priced("llama-3.1-8b-instant", "groq", "0.0004", max_output_tokens=131_072),
    priced("claude-sonnet-4-20250514", "anthropic", "0.006", context_length=200_000, max_output_tokens=64_000,
           capabilities=CHAT_DOCUMENTS, input_modalities=_DOCS_IN),
    priced("claude-haiku-3.5", "anthropic", "0.002", context_length=200_000, max_output_tokens=8_192,
           capabilities=CHAT_DOCUMENTS, input_modalities=_DOCS_IN),
    # Gemini takes audio too; prices are this gateway's choice (the product sheet lists none).
    priced("gemini-2.5-pro", "gemini", "0.005", context_length=1_048_576, max_output_tokens=65_536,
           capabilities=CHAT_DOCUMENTS | {"audio"}, input_modalities=(*_DOCS_IN, "audio")),
    priced("gemini-2.5-flash", "gemini", "0.0008", context_length=1_048_576, max_output_tokens=65_536,
           capabilities=CHAT_DOCUMENTS | {"audio"}, input_modalities=(*_DOCS_IN, "audio")),
    priced("gemini-2.0-flash", "gemini", "0.0004", context_length=1_048_576, max_output_tokens=8_192,
           capabilities=CHAT_DOCUMENTS | {"audio"}, input_modalities=(*_DOCS_IN, "audio")),
    # Workers AI's OpenAI-compatible chat (`workers-ai:llama-3.1-8b-instruct`); this gateway's price.
    priced("@cf/meta/llama-3.1-8b-instruct", "workers_ai", "0.0002", max_output_tokens=8_192),
)

# Who reads the images a request sends to a model that cannot (routing/candidates.py), best first:
# the first configured one answers, as a fallback the response headers name. Only the affordable
# tier: the reservation covers the dearest model of a chain.
VISION_MODELS: tuple[str, ...] = ("gpt-4o-mini", "gemini-2.5-flash", "claude-haiku-3.5")

# Name patterns, first match wins: deepseek-r1* is Groq's distilled model, deepseek-* is DeepSeek's.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("gpt-*", "openai"),
    ("o1*", "openai"),
    ("o3*", "openai"),
    ("o4*", "openai"),
    ("llama-*", "groq"),
    ("mixtral-*", "groq"),
    ("gemma*", "groq"),
    ("deepseek-r1*", "groq"),
    ("deepseek-*", "deepseek"),
    ("claude-*", "anthropic"),
    ("gemini-*", "gemini"),
)

# Default fallback chains: a model of the same tier at another provider, tried when the first fails
# with 429/5xx/timeout before any byte reached the client. A request's own `models`/`fallbacks`
# replaces these (`"fallbacks": []` for none); operators can replace them (TOLLWAY_DEFAULT_FALLBACKS).
DEFAULT_FALLBACKS: dict[str, tuple[str, ...]] = {
    "gpt-4o": ("claude-sonnet-4-20250514",),
    "claude-sonnet-4-20250514": ("gpt-4o",),
    "gpt-4o-mini": ("claude-haiku-3.5",),
    "claude-haiku-3.5": ("gpt-4o-mini",),
    "llama-3.3-70b-versatile": ("deepseek-v4-flash",),
    "deepseek-v4-pro": ("deepseek-v4-flash",),
    "gemini-2.5-pro": ("claude-sonnet-4-20250514",),
    "gemini-2.5-flash": ("gpt-4o-mini",),
}
