"""Models, prices and model-name → provider resolution: the one place either is decided.

Prices are micro-credits per token (the product sheet's credits per token × 1_000_000). A model that
is not listed but matches a provider's name pattern is served at DEFAULT_PRICE, so a provider's new
model works on day one and is charged sensibly until it is priced here.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

DEFAULT_PRICE = 2_000  # 0.002 credits per token
CREATED = 1_735_689_600  # 2025-01-01: catalog entries have no upstream creation date

CHAT = frozenset({"chat", "stream", "tools", "json"})
CHAT_VISION = CHAT | {"vision"}


@dataclass(frozen=True)
class ModelSpec:
    id: str
    provider: str
    input_price: int = DEFAULT_PRICE
    output_price: int = DEFAULT_PRICE
    context_length: int = 128_000
    max_output_tokens: int = 16_384
    capabilities: frozenset[str] = field(default=CHAT)
    listed: bool = True  # False for pattern matches synthesised on the fly

    def cost(self, prompt_tokens: int, completion_tokens: int) -> int:
        return prompt_tokens * self.input_price + completion_tokens * self.output_price


def _priced(model_id: str, provider: str, credits_per_token: str, **kw: object) -> ModelSpec:
    micro = round(float(credits_per_token) * 1_000_000)
    return ModelSpec(model_id, provider, input_price=micro, output_price=micro, **kw)  # type: ignore[arg-type]


CATALOG: dict[str, ModelSpec] = {
    spec.id: spec
    for spec in (
        # Offline and deterministic: one micro-credit per token, so 402 and limits are real locally.
        ModelSpec("local/echo", "local", 1, 1, context_length=1_000_000, max_output_tokens=100_000),
        _priced("gpt-4o", "openai", "0.01", capabilities=CHAT_VISION),
        _priced("gpt-4o-mini", "openai", "0.0008", capabilities=CHAT_VISION),
        _priced("o3-mini", "openai", "0.004", context_length=200_000, max_output_tokens=100_000),
        _priced("deepseek-v4-flash", "deepseek", "0.0004"),
        _priced("deepseek-v4-pro", "deepseek", "0.002"),
        _priced("deepseek-reasoner", "deepseek", "0.002", max_output_tokens=64_000),
        _priced("llama-3.3-70b-versatile", "groq", "0.0008", max_output_tokens=32_768),
        _priced("llama-3.1-8b-instant", "groq", "0.0004", max_output_tokens=131_072),
        _priced("claude-sonnet-4-20250514", "anthropic", "0.006", context_length=200_000,
                max_output_tokens=64_000, capabilities=CHAT_VISION),
        _priced("claude-haiku-3.5", "anthropic", "0.002", context_length=200_000,
                max_output_tokens=8_192, capabilities=CHAT_VISION),
    )
}

# Name patterns, first match wins: deepseek-r1* is Groq's distilled model, deepseek-* is DeepSeek's.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("local/*", "local"),
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
)


def resolve(model: str) -> ModelSpec | None:
    spec = CATALOG.get(model)
    if spec is not None:
        return spec
    for pattern, provider in PATTERNS:
        if fnmatch.fnmatchcase(model, pattern):
            if provider == "local":
                return None  # local models are exactly the listed ones
            return ModelSpec(model, provider, listed=False)
    return None


def listed_models() -> list[ModelSpec]:
    return list(CATALOG.values())
