"""Anthropic: natively for /v1/messages, translated for /v1/chat/completions (claude-*).

    provider = AnthropicProvider(instance("anthropic"))    # ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL
    await provider.chat(openai_body)            # ChatReply with an OpenAI ChatCompletion
    await provider.messages(anthropic_body, beta=None)   # the Message, untouched

Auth is `x-api-key` with `anthropic-version: 2023-06-01`; a client's `anthropic-beta` header is
passed on for native calls, so beta features keep working through the gateway.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tollway.errors import UpstreamError
from tollway.providers.base import ChatReply, MessagesEvent, MessagesReply, Usage
from tollway.providers.http_upstream import HttpUpstream, UpstreamResponse
from tollway.providers.instances import ProviderInstance
from tollway.providers.translated_stream import TranslatedChatStream
from tollway.wire.sse import aiter_events
from tollway.wire.translate import MessageStreamToChunks, completion_from_message, messages_request_from_chat

VERSION = "2023-06-01"


class AnthropicProvider(HttpUpstream):
    def __init__(self, instance: ProviderInstance) -> None:
        super().__init__(instance.upstream())

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"x-api-key": key}

    @staticmethod
    def _headers(beta: str | None = None) -> dict[str, str]:
        return {"anthropic-version": VERSION} | ({"anthropic-beta": beta} if beta else {})

    # -- /v1/chat/completions, translated --------------------------------------------------------

    async def chat(self, body: dict[str, Any]) -> ChatReply:
        request = messages_request_from_chat(body)
        message = _message(self.name, await self.post_json("/v1/messages", request.body, self._headers()))
        completion = completion_from_message(message, structured_tool=request.structured_tool)
        return ChatReply(completion, Usage.from_anthropic(message.get("usage")))

    async def stream(self, body: dict[str, Any]) -> TranslatedChatStream:
        request = messages_request_from_chat(body)
        response = await self.open_stream("/v1/messages", request.body | {"stream": True}, self._headers())
        translator = MessageStreamToChunks(structured_tool=request.structured_tool)
        return TranslatedChatStream(self.name, response, lambda e: translator.feed(e.event, e.json()),
                                    translator.finish, lambda: translator.usage)

    # -- /v1/messages, native --------------------------------------------------------------------

    async def messages(self, body: dict[str, Any], beta: str | None) -> MessagesReply:
        message = _message(self.name, await self.post_json("/v1/messages", body | {"stream": False},
                                                           self._headers(beta)))
        return MessagesReply(message, Usage.from_anthropic(message.get("usage")))

    async def messages_stream(self, body: dict[str, Any], beta: str | None) -> NativeMessagesStream:
        response = await self.open_stream("/v1/messages", body | {"stream": True}, self._headers(beta))
        return NativeMessagesStream(self.name, response)

    async def count_tokens(self, body: dict[str, Any], beta: str | None) -> dict[str, Any]:
        counted = await self.post_json("/v1/messages/count_tokens", body, self._headers(beta))
        if not isinstance(counted, dict) or not isinstance(counted.get("input_tokens"), int):
            raise UpstreamError(f"{self.name} answered count_tokens without input_tokens")
        return counted


class NativeMessagesStream:
    """Anthropic's own events, forwarded as they come; the usage is read on the way."""

    def __init__(self, provider: str, response: UpstreamResponse) -> None:
        self._provider = provider
        self._response = response
        self._usage: dict[str, Any] = {}
        self.usage: Usage | None = None

    async def events(self) -> AsyncIterator[MessagesEvent]:
        # A broken connection raises the domain error (UpstreamResponse maps it).
        async for event in aiter_events(self._response.aiter_bytes()):
            try:
                parsed = event.json()
            except ValueError as exc:
                raise UpstreamError(f"{self._provider} sent an invalid stream event") from exc
            name = event.event or str(parsed.get("type") or "message")
            if name == "error":
                error = parsed.get("error") or {}
                raise UpstreamError(f"{self._provider} failed mid-stream ({error.get('type') or 'error'})")
            if name == "message_start":
                self._usage |= (parsed.get("message") or {}).get("usage") or {}
            elif name == "message_delta":
                self._usage |= {k: v for k, v in (parsed.get("usage") or {}).items() if v is not None}
            elif name == "message_stop":
                self.usage = Usage.from_anthropic(self._usage)
            yield MessagesEvent(name, event.data, parsed)

    def prompt_tokens(self) -> int | None:
        """Known from message_start on: Anthropic counts the whole prompt before it generates."""
        started = Usage.from_anthropic(self._usage) if self._usage else None
        return started.prompt_tokens if started is not None and started.prompt_tokens else None

    async def aclose(self) -> None:
        await self._response.aclose()


def _message(provider: str, answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict) or answer.get("type") != "message":
        raise UpstreamError(f"{provider} answered without a message")
    return answer
