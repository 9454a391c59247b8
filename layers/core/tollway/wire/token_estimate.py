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
        if part.get("type") == "text" and isinstance(part.get("text"), str):
            return estimate_text_tokens(part["text"])
        if part.get("type") == "image_url":
            return PER_IMAGE
    return estimate_text_tokens(json.dumps(part, separators=(",", ":")))
