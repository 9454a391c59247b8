"""The adapter for every upstream that speaks OpenAI's Chat Completions: OpenAI, Groq, DeepSeek,
and any server with the same API (vLLM, Ollama, LM Studio, Azure…).

Bodies pass through unchanged except for what the gateway must control: the token limit is made
explicit (so the reservation bounds the cost) and streams always ask for the final usage chunk (so
the charge is exact).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tollway.errors import UpstreamError
from tollway.providers.base import ChatReply, StreamEvent, Usage
from tollway.providers.http_upstream import HttpUpstream, UpstreamConfig, UpstreamResponse
from tollway.providers.instances import ProviderInstance
from tollway.providers.upstream_paths import UpstreamPath
from tollway.wire.json_codec import loads
from tollway.wire.sse import data_lines

__all__ = ["OpenAICompatibleProvider", "UpstreamConfig"]


class OpenAICompatibleProvider(HttpUpstream):
    def __init__(self, instance: ProviderInstance) -> None:
        super().__init__(instance.upstream())

    def chat_path(self) -> UpstreamPath | str:
        """Where Chat Completions are, under the base URL (an account-scoped path for some)."""
        return "/chat/completions"

    async def chat(self, body: dict[str, Any]) -> ChatReply:
        parsed = await self.post_json(self.chat_path(), body)
        if not isinstance(parsed, dict) or "choices" not in parsed:
            raise UpstreamError(f"{self.name} answered without choices")
        return ChatReply(parsed, Usage.from_openai(parsed.get("usage")))

    async def stream(self, body: dict[str, Any]) -> _OpenAIStream:
        body = {**body, "stream": True, "stream_options": {**(body.get("stream_options") or {}),
                                                            "include_usage": True}}
        return _OpenAIStream(self.name, await self.open_stream(self.chat_path(), body))


class _OpenAIStream:
    def __init__(self, provider: str, response: UpstreamResponse) -> None:
        self._provider = provider
        self._response = response

    async def events(self) -> AsyncIterator[StreamEvent]:
        # A broken connection raises the domain error (UpstreamResponse maps it).
        async for data in data_lines(self._response.aiter_lines()):
            try:
                chunk = loads(data)
            except ValueError as exc:
                raise UpstreamError(f"{self._provider} sent an invalid stream event") from exc
            if isinstance(chunk, dict) and "error" in chunk and "choices" not in chunk:
                raise UpstreamError(f"{self._provider} failed mid-stream")
            yield StreamEvent(data, chunk)

    def prompt_tokens(self) -> int | None:
        return None  # OpenAI's API reports usage only in the last chunk

    async def aclose(self) -> None:
        await self._response.aclose()
