"""Token counts the gateway makes itself, before (or without) the provider's own.

    estimate_prompt_tokens(messages, tools)           # what a prompt is charged when the provider says nothing
    estimate_prompt_tokens(messages, tools, bound=True)   # the most it can be: what is reserved

No tokenizer is loaded (that would cost cold-start time and differ per provider). BPE tokenizers
average about four bytes per token on English and fewer on code and other scripts; three bytes per
token plus per-message framing overestimates nearly all text, which is the estimate. The bound is
what no byte-level tokenizer can exceed: one token per UTF-8 byte (and generous per-image and
per-document figures); routing caps it at the model's context length. Settlement uses the
provider's own count whenever it reports one.
"""

from __future__ import annotations

import json
from typing import Any

from dataclasses import dataclass

BYTES_PER_TOKEN = 3
PER_MESSAGE = 4
PER_REQUEST = 3


@dataclass(frozen=True)
class _Rates:
    bytes_per_token: int
    # OpenAI bills a high-detail image at most 85 + 170 × 6 tiles (1,105); its patch-based models,
    # Claude (~1,600) and Gemini's tiled large images bill more: counting its base64 bytes instead
    # would reserve a thousand times too much.
    per_image: int
    # A document (PDF…) as base64: providers bill roughly 1.5–3k tokens per page of 50–100 kB.
    document_bytes_per_token: int


ESTIMATE = _Rates(BYTES_PER_TOKEN, 1_105, 30)
BOUND = _Rates(1, 4_096, 10)


def estimate_text_tokens(text: str, rates: _Rates = ESTIMATE) -> int:
    return -(-len(text.encode("utf-8", "surrogatepass")) // rates.bytes_per_token)


def _json_tokens(value: Any, rates: _Rates) -> int:
    return estimate_text_tokens(json.dumps(value, separators=(",", ":")), rates)


def estimate_prompt_tokens(messages: list[dict[str, Any]], tools: list[Any] | None = None, *,
                           bound: bool = False) -> int:
    rates = BOUND if bound else ESTIMATE
    total = PER_REQUEST
    for message in messages:
        total += PER_MESSAGE
        if not isinstance(message, dict):
            total += _json_tokens(message, rates)
            continue
        content = message.get("content")
        if isinstance(content, str):
            total += estimate_text_tokens(content, rates)
        elif isinstance(content, list):
            total += sum(_part_tokens(part, rates) for part in content)
        elif content is not None:
            total += _json_tokens(content, rates)
        for key in ("tool_calls", "name", "tool_call_id"):
            if message.get(key):
                total += _json_tokens(message[key], rates)
    if tools:
        total += _json_tokens(tools, rates)
    return total


def _part_tokens(part: Any, rates: _Rates) -> int:
    if isinstance(part, dict):
        kind = part.get("type")
        if kind == "text" and isinstance(part.get("text"), str):
            return estimate_text_tokens(part["text"], rates)
        if kind in ("image_url", "image"):
            return rates.per_image
        if kind == "file" and isinstance(part.get("file"), dict):
            return _document_tokens(str(part["file"].get("file_data") or ""), rates)
        if kind == "document" and isinstance(part.get("source"), dict):
            source = part["source"]
            if source.get("type") == "base64":
                return _document_tokens(str(source.get("data") or ""), rates)
            if source.get("type") == "text":
                return estimate_text_tokens(str(source.get("data") or ""), rates)
        if kind == "tool_result" and isinstance(part.get("content"), list):
            return sum(_part_tokens(p, rates) for p in part["content"])
    return _json_tokens(part, rates)


def _document_tokens(base64_data: str, rates: _Rates) -> int:
    return -(-(len(base64_data) * 3 // 4) // rates.document_bytes_per_token)


def estimate_messages_tokens(body: dict[str, Any], *, bound: bool = False) -> int:
    """An Anthropic Messages request: system, messages of content blocks, tools."""
    rates = BOUND if bound else ESTIMATE
    system = body.get("system")
    total = estimate_prompt_tokens(body.get("messages") or [], body.get("tools"), bound=bound)
    if isinstance(system, str):
        total += estimate_text_tokens(system, rates)
    elif isinstance(system, list):
        total += sum(_part_tokens(block, rates) for block in system)
    return total
