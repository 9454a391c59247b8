"""Counting the completion a response generated, for when the provider's own usage is missing
(a stream the client left, an upstream that never reports usage).

    counted = GeneratedText()
    counted.add_chunk(chunk)                 # OpenAI chat chunks
    counted.add_message_event(name, data)    # Anthropic message stream events
    counted.add_message(message)             # a whole OpenAI assistant message
    counted.tokens()                         # the estimate

Counted from the text itself (content, reasoning, tool names and arguments, thinking), never from
the number of events: a provider may send a thousand words in one chunk. Only sizes are kept, so a
long stream costs no memory. Each piece of text is at least one token, so the count is never fewer
than the pieces the client received.
"""

from __future__ import annotations

from typing import Any

from tollway.wire.token_estimate import BYTES_PER_TOKEN

_MESSAGE_DELTA_TEXT = ("text", "partial_json", "thinking")


class GeneratedText:
    def __init__(self) -> None:
        self.bytes = 0
        self.pieces = 0

    def add(self, text: Any) -> bool:
        if isinstance(text, str) and text:
            self.bytes += len(text.encode("utf-8", "surrogatepass"))
            self.pieces += 1
            return True
        return False

    def add_delta(self, delta: dict[str, Any]) -> None:
        self.add(delta.get("content"))
        self.add(delta.get("reasoning_content"))
        self.add(delta.get("refusal"))
        for call in delta.get("tool_calls") or ():
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict):
                self.add(function.get("name"))
                self.add(function.get("arguments"))

    def add_chunk(self, chunk: dict[str, Any]) -> None:
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if isinstance(delta, dict):
                self.add_delta(delta)

    def add_message(self, message: dict[str, Any]) -> None:
        self.add_delta(message)

    def add_message_event(self, name: str, data: Any) -> None:
        """Anthropic: the text of content_block_delta events, and tool names at content_block_start."""
        if not isinstance(data, dict):
            return
        if name == "content_block_delta" and isinstance(data.get("delta"), dict):
            for field in _MESSAGE_DELTA_TEXT:
                self.add(data["delta"].get(field))
        elif name == "content_block_start" and isinstance(data.get("content_block"), dict):
            block = data["content_block"]
            self.add(block.get("text"))
            self.add(block.get("name"))

    def tokens(self) -> int:
        return max(self.pieces, -(-self.bytes // BYTES_PER_TOKEN))
