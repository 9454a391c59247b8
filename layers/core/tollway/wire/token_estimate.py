"""A cheap upper-leaning token estimate for reservations, before the provider counts for real.

No tokenizer is loaded (that would cost cold-start time and differ per provider). BPE tokenizers
average about four bytes per token on English and fewer on code and other scripts; three bytes per
token plus per-message framing overestimates for nearly all text, which is what a reservation wants.
Settlement always uses the provider's own count.
"""

from __future__ import annotations

import json
from typing import Any

BYTES_PER_TOKEN = 3
PER_MESSAGE = 4
PER_REQUEST = 3
# OpenAI bills a high-detail image at most 85 + 170 × 6 tiles; counting its base64 bytes instead
# would reserve a thousand times too much.
PER_IMAGE = 1_105
# A document (PDF…) as base64: providers bill roughly 1.5–3k tokens per page of 50–100 kB, so one
# token per 30 decoded bytes leans high without reserving a thousand times too much. Routing caps
# any estimate at the model's context length, the true ceiling.
DOCUMENT_BYTES_PER_TOKEN = 30


def estimate_text_tokens(text: str) -> int:
    return -(-len(text.encode("utf-8")) // BYTES_PER_TOKEN)


def estimate_prompt_tokens(messages: list[dict[str, Any]], tools: list[Any] | None = None) -> int:
    total = PER_REQUEST
    for message in messages:
        total += PER_MESSAGE
        content = message.get("content")
        if isinstance(content, str):
            total += estimate_text_tokens(content)
        elif isinstance(content, list):
            total += sum(_part_tokens(part) for part in content)
        elif content is not None:
            total += estimate_text_tokens(json.dumps(content, separators=(",", ":")))
        for key in ("tool_calls", "name", "tool_call_id"):
            if message.get(key):
                total += estimate_text_tokens(json.dumps(message[key], separators=(",", ":")))
    if tools:
        total += estimate_text_tokens(json.dumps(tools, separators=(",", ":")))
    return total


def _part_tokens(part: Any) -> int:
    if isinstance(part, dict):
        kind = part.get("type")
        if kind == "text" and isinstance(part.get("text"), str):
            return estimate_text_tokens(part["text"])
        if kind in ("image_url", "image"):
            return PER_IMAGE
        if kind == "file" and isinstance(part.get("file"), dict):
            return _document_tokens(str(part["file"].get("file_data") or ""))
        if kind == "document" and isinstance(part.get("source"), dict):
            source = part["source"]
            if source.get("type") == "base64":
                return _document_tokens(str(source.get("data") or ""))
            if source.get("type") == "text":
                return estimate_text_tokens(str(source.get("data") or ""))
        if kind == "tool_result" and isinstance(part.get("content"), list):
            return sum(_part_tokens(p) for p in part["content"])
    return estimate_text_tokens(json.dumps(part, separators=(",", ":")))


def _document_tokens(base64_data: str) -> int:
    return -(-(len(base64_data) * 3 // 4) // DOCUMENT_BYTES_PER_TOKEN)


def estimate_messages_tokens(body: dict[str, Any]) -> int:
    """An Anthropic Messages request: system, messages of content blocks, tools."""
    system = body.get("system")
    total = estimate_prompt_tokens(body.get("messages") or [], body.get("tools"))
    if isinstance(system, str):
        total += estimate_text_tokens(system)
    elif isinstance(system, list):
        total += sum(_part_tokens(block) for block in system)
    return total
