"""`local/echo`: an offline, deterministic model so the whole flow works with no network.

It answers with the last user message, counts tokens as words (capped by the token limit), and
streams one word per chunk, in exactly the shapes OpenAI uses, so clients cannot tell it apart.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

from tollway.providers.base import ChatReply, StreamEvent, Usage
from tollway.providers.instances import ProviderInstance
from tollway.wire.sse import encode
from tollway.wire.token_estimate import estimate_prompt_tokens

_ids = itertools.count(1)


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _reply_words(body: dict[str, Any]) -> tuple[list[str], str]:
    words = _last_user_text(body.get("messages") or []).split()
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if limit is not None and len(words) > limit:
        return words[:limit], "length"
    return words, "stop"


class LocalEchoProvider:
    token_limit_param = "max_tokens"

    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name

    def configured(self) -> bool:
        return True

    async def chat(self, body: dict[str, Any]) -> ChatReply:
        words, finish = _reply_words(body)
        usage = Usage(estimate_prompt_tokens(body.get("messages") or []), len(words))
        n = int(body.get("n") or 1)
        reply = {
            "id": f"chatcmpl-echo{next(_ids):08d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "local/echo"),
            "system_fingerprint": "tollway-echo",
            "choices": [
                {"index": i, "message": {"role": "assistant", "content": " ".join(words), "refusal": None},
                 "logprobs": None, "finish_reason": finish}
                for i in range(n)
            ],
            "usage": {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens * n,
                      "total_tokens": usage.prompt_tokens + usage.completion_tokens * n},
        }
        return ChatReply(reply, Usage(usage.prompt_tokens, usage.completion_tokens * n))

    async def stream(self, body: dict[str, Any]) -> _EchoStream:
        return _EchoStream(body)


class _EchoStream:
    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    async def events(self) -> AsyncIterator[StreamEvent]:
        words, finish = _reply_words(self._body)
        base = {"id": f"chatcmpl-echo{next(_ids):08d}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": self._body.get("model", "local/echo"),
                "system_fingerprint": "tollway-echo"}

        def event(delta: dict[str, Any], finish_reason: str | None = None) -> StreamEvent:
            chunk = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                          "finish_reason": finish_reason}], "usage": None}
            return StreamEvent(encode(chunk)[6:-2].decode(), chunk)

        yield event({"role": "assistant", "content": ""})
        for i, word in enumerate(words):
            yield event({"content": word if i == 0 else " " + word})
        yield event({}, finish)
        prompt = estimate_prompt_tokens(self._body.get("messages") or [])
        usage_chunk = {**base, "choices": [], "usage": {
            "prompt_tokens": prompt, "completion_tokens": len(words), "total_tokens": prompt + len(words)}}
        yield StreamEvent(encode(usage_chunk)[6:-2].decode(), usage_chunk)

    def prompt_tokens(self) -> int | None:
        return None

    async def aclose(self) -> None:
        return None
