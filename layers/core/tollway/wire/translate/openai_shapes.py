"""The OpenAI objects translators build: the assistant message of a `ChatCompletion`, and the
`chat.completion.chunk` objects of a stream.

    assistant_message(["Hel", "lo"], ["hm"], [])   # content "Hello", reasoning_content "hm"
    writer = ChunkWriter(id="chatcmpl-1", model="claude-x", created=1700000000)
    writer.delta({"role": "assistant", "content": ""})   # one choice, index 0
    writer.finish("stop")                                # the empty delta with finish_reason
    writer.usage({"prompt_tokens": 3, ...})              # choices [] and the usage, as OpenAI ends
"""

from __future__ import annotations

import time
from typing import Any

Body = dict[str, Any]


class ChunkWriter:
    def __init__(self, *, id: str, model: str, created: int | None = None) -> None:
        self.id = id
        self.model = model
        self.created = int(time.time()) if created is None else created

    def _chunk(self, choices: list[Body]) -> Body:
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                "model": self.model, "choices": choices}

    def delta(self, delta: Body, *, index: int = 0) -> Body:
        return self._chunk([{"index": index, "delta": delta, "logprobs": None, "finish_reason": None}])

    def finish(self, reason: str, *, index: int = 0) -> Body:
        return self._chunk([{"index": index, "delta": {}, "logprobs": None, "finish_reason": reason}])

    def usage(self, usage: Body) -> Body:
        return {**self._chunk([]), "usage": usage}


def assistant_message(texts: list[str], reasoning: list[str], calls: list[Body]) -> Body:
    """A ChatCompletion message: content is null only when the reply is nothing but tool calls."""
    message: Body = {"role": "assistant", "content": "".join(texts) if texts or not calls else None, "refusal": None}
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
    if calls:
        message["tool_calls"] = calls
    return message
