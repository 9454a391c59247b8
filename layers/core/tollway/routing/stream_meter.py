"""Counting what a response delivered, for when the provider's own usage is missing.

Providers stream about one token per content chunk, so the number of chunks that carried content
is the count of tokens the client received; when text arrives in bigger pieces the byte estimate
is larger and wins.
"""

from __future__ import annotations

from typing import Any

from tollway.wire.token_estimate import estimate_text_tokens


class StreamMeter:
    def __init__(self) -> None:
        self.content_chunks = 0
        self.text_parts: list[str] = []

    def _add(self, text: Any) -> bool:
        if isinstance(text, str) and text:
            self.text_parts.append(text)
            return True
        return False

    def count_delta(self, delta: dict[str, Any]) -> bool:
        carried = self._add(delta.get("content")) | self._add(delta.get("reasoning_content"))
        for call in delta.get("tool_calls") or ():
            function = call.get("function") or {}
            carried |= self._add(function.get("arguments")) | self._add(function.get("name"))
        return carried

    def count_chunk(self, chunk: dict[str, Any]) -> None:
        for choice in chunk.get("choices") or ():
            if self.count_delta(choice.get("delta") or {}):
                self.content_chunks += 1

    def count_message(self, message: dict[str, Any]) -> None:
        self.count_delta(message)

    def delivered_tokens(self) -> int:
        """What a client that left early is charged for: one token per chunk it received."""
        return self.content_chunks

    def estimated_tokens(self) -> int:
        return max(self.content_chunks, estimate_text_tokens("".join(self.text_parts)))
