"""OpenAI-compatible upstreams the operator declares without a code change: vLLM, Ollama, LM Studio,
Azure OpenAI, Together, a second OpenAI account…

Declared as a JSON list in `TOLLWAY_UPSTREAMS` (environment or the provider secret) or in the JSON
file named by `TOLLWAY_UPSTREAMS_FILE`:

    [{"name": "ollama", "base_url": "http://127.0.0.1:11434/v1",
      "models": ["llama3.2:3b"], "prefixes": ["ollama/"], "strip_prefix": true,
      "price": "0.0001", "capabilities": ["chat", "stream", "tools", "json"]},
     {"name": "azure", "base_url": "https://my-resource.openai.azure.com/openai/v1",
      "api_key_env": "AZURE_OPENAI_API_KEY", "auth_header": "api-key", "models": ["gpt-4o-azure"]}]

A declared model or prefix wins over the built-in name patterns (so `llama-3.1-8b` can go to your
own vLLM instead of Groq); `strip_prefix` sends `llama3.2:3b` upstream for `ollama/llama3.2:3b`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tollway.catalog.spec import CHAT, DEFAULT_PRICE, ModelSpec, credits_to_micro
from tollway.config import secret
from tollway.upstream_ids import is_id

# The built-in providers' names (providers/instances.py): a provider name is one provider.
BUILT_IN = frozenset({"openai", "groq", "deepseek", "anthropic", "gemini", "local", "workers_ai", "elevenlabs",
                      "cohere", "jina", "voyage", "replicate", "opencode"})


class CustomUpstream(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")
    base_url: str = Field(pattern=r"^https?://")
    api_key_env: str | None = None  # where the key is read from (environment or provider secret)
    auth_header: str = "authorization"  # "authorization" sends `Bearer <key>`; any other name sends the bare key
    query: dict[str, str] = Field(default_factory=dict)  # e.g. {"api-version": "2024-10-21"}
    models: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    strip_prefix: bool = False
    price: str | None = None  # credits per token, in and out
    input_price: str | None = None
    output_price: str | None = None
    capabilities: frozenset[str] = CHAT
    context_length: int = Field(default=128_000, ge=1)
    max_output_tokens: int = Field(default=16_384, ge=1)
    token_limit_param: str = "max_tokens"

    @field_validator("name")
    @classmethod
    def _not_built_in(cls, value: str) -> str:
        if value in BUILT_IN:
            raise ValueError(f"{value!r} is a built-in provider; configure it with its own env vars")
        return value

    def _prices(self) -> tuple[int, int]:
        given_in, given_out = self.input_price or self.price, self.output_price or self.price
        return (credits_to_micro(given_in) if given_in else DEFAULT_PRICE,
                credits_to_micro(given_out) if given_out else DEFAULT_PRICE)

    def spec_for(self, model: str) -> ModelSpec | None:
        if model in self.models:
            return self._spec(model, model, listed=True)
        for prefix in self.prefixes:
            # A prefix is a pattern: what follows it must be a well-formed model id, like any pattern's match.
            if model.startswith(prefix) and is_id(model[len(prefix):], namespaced=True):
                return self._spec(model, model[len(prefix):] if self.strip_prefix else model, listed=False)
        return None

    def _spec(self, model: str, upstream_id: str, listed: bool) -> ModelSpec:
        input_price, output_price = self._prices()
        vision = "vision" in self.capabilities
        return ModelSpec(model, self.name, input_price=input_price, output_price=output_price,
                         context_length=self.context_length, max_output_tokens=self.max_output_tokens,
                         capabilities=self.capabilities, input_modalities=("text", "image") if vision else ("text",),
                         upstream_id=upstream_id if upstream_id != model else None, listed=listed)


class UpstreamsConfigError(ValueError):
    """The operator's upstream declaration is invalid: raised at first use with what to fix."""


@lru_cache(maxsize=1)
def custom_upstreams() -> tuple[CustomUpstream, ...]:
    raw = secret("TOLLWAY_UPSTREAMS")
    source = "TOLLWAY_UPSTREAMS"
    path = secret("TOLLWAY_UPSTREAMS_FILE")
    if not raw and path:
        raw, source = Path(path).read_text(), path
    if not raw:
        return ()
    try:
        entries = json.loads(raw)
        if not isinstance(entries, list):
            raise UpstreamsConfigError(f"{source} must be a JSON list of upstreams")
        upstreams = tuple(CustomUpstream.model_validate(entry) for entry in entries)
    except (ValueError, ValidationError) as exc:
        raise UpstreamsConfigError(f"{source} is invalid: {exc}") from None
    names = [u.name for u in upstreams]
    if len(names) != len(set(names)):
        raise UpstreamsConfigError(f"{source} declares an upstream name twice")
    return upstreams
