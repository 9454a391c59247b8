"""What the gateway knows about one model: who serves it, what it can do, what it costs.

    spec = ModelSpec("gpt-4o-mini", "openai", input_price=800, output_price=800)
    spec.cost(prompt_tokens=10, completion_tokens=20)      # micro-credits, exact
    ModelSpec("dall-e-3", "openai", kind="image", unit="image", unit_price=500_000).unit_cost(2)

Token-priced kinds (chat, embedding) charge `input_price`/`output_price` micro-credits per token;
unit-priced kinds (image, speech, transcription, sound, video, music, rerank, moderation, document)
charge `unit_price` per `unit` (an image, a request, a second of audio, a page…).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DEFAULT_PRICE = 2_000  # 0.002 credits per token
CREATED = 1_735_689_600  # 2025-01-01: catalog entries have no upstream creation date

Kind = Literal["chat", "embedding", "image", "speech", "transcription", "sound", "moderation", "rerank",
               "video", "music", "document", "realtime"]
Modality = Literal["text", "image", "audio", "video", "file"]

CHAT = frozenset({"chat", "stream", "tools", "json"})
CHAT_VISION = CHAT | {"vision"}
CHAT_DOCUMENTS = CHAT_VISION | {"files"}  # PDFs and other documents as input


@dataclass(frozen=True)
class ModelSpec:
    id: str
    provider: str
    input_price: int = DEFAULT_PRICE  # µc per prompt token
    output_price: int = DEFAULT_PRICE  # µc per completion token
    context_length: int = 128_000
    max_output_tokens: int = 16_384
    capabilities: frozenset[str] = field(default=CHAT)
    kind: Kind = "chat"
    unit: str = "token"  # what unit_price is charged per, for unit-priced kinds
    unit_price: int = 0  # µc per unit
    input_modalities: tuple[Modality, ...] = ("text",)
    output_modalities: tuple[Modality, ...] = ("text",)
    listed: bool = True  # False for pattern matches synthesised on the fly
    upstream_id: str | None = None  # the name the provider knows it by, when it differs from `id`

    def cost(self, prompt_tokens: int, completion_tokens: int) -> int:
        return prompt_tokens * self.input_price + completion_tokens * self.output_price

    def unit_cost(self, units: int = 1) -> int:
        return units * self.unit_price


def priced(model_id: str, provider: str, credits_per_token: str, **kw: object) -> ModelSpec:
    """A token-priced model at the product sheet's credits-per-token price (same in and out)."""
    micro = credits_to_micro(credits_per_token)
    return ModelSpec(model_id, provider, input_price=micro, output_price=micro, **kw)  # type: ignore[arg-type]


def per_unit(model_id: str, provider: str, kind: Kind, credits_per_unit: str, unit: str, **kw: object) -> ModelSpec:
    """A unit-priced model (per image, per request, …); `capabilities` defaults to {kind}."""
    kw.setdefault("capabilities", frozenset({kind}))
    return ModelSpec(model_id, provider, kind=kind, unit=unit, unit_price=credits_to_micro(credits_per_unit),
                     input_price=0, output_price=0, **kw)  # type: ignore[arg-type]


def credits_to_micro(credits: str) -> int:
    from decimal import Decimal

    micro = Decimal(credits) * 1_000_000
    if micro != micro.to_integral_value():
        raise ValueError(f"{credits} credits is not a whole number of micro-credits")
    return int(micro)
