"""A fake Anthropic upstream: a real HTTP server speaking the Messages API (JSON and SSE).

    upstream = FakeAnthropic().start()       # upstream.url is an ANTHROPIC_BASE_URL (no /v1)
    upstream.script(Behaviour(reply=Reply(thinking="hm", tool_calls=[ToolCall("lookup", {"q": "tea"})],
                                          usage=TokenUsage(cache_read=100))))
    upstream.script(Behaviour(status=529))   # overloaded_error
    upstream.requests[-1].body               # what the gateway sent

Requests are checked as the real API checks them (tests/fakes/anthropic_checks.py): the key
(`x-api-key`, or `authorization: Bearer` as anthropic SDK 2.x sends it), `anthropic-version`,
max_tokens, roles, tool_use/tool_result pairing, image data; refusals are Anthropic-shaped errors.
The default reply echoes the last user text word by word (capped by max_tokens, then stop_reason
"max_tokens"). Streams send the real event sequence:
message_start, ping, content_block_start / content_block_delta… / content_block_stop per block
(thinking, text, tool_use), message_delta (stop_reason, cumulative usage), message_stop.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.anthropic_checks import Refused, check_body, check_headers
from tests.fakes.scripted import (
    PROMPT_TOKENS,
    Behaviour,
    Reply,
    ScriptedUpstream,
    StreamItem,
    TokenUsage,
    ToolCall,
    arguments_json,
    generated_tokens,
    pieces,
    reply_words,
)

__all__ = ["API_KEY", "PROMPT_TOKENS", "Behaviour", "FakeAnthropic", "Reply", "TokenUsage", "ToolCall"]

API_KEY = "sk-ant-fake-upstream-key"
SIGNATURE = "c2lnbmF0dXJlLWZyb20tdGhlLWZha2U="
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 529: "overloaded_error"}


def error_response(status: int, message: str, type_: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": "error", "error": {"type": type_ or _ERROR_TYPES.get(status, "api_error"), "message": message},
            "request_id": "req_fake"}
    return JSONResponse(body, status_code=status, headers={"request-id": "req_fake", **(headers or {})})


def _sse(event: str, data: dict[str, Any], content: bool = False) -> StreamItem:
    return StreamItem(f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode(), content)


class FakeAnthropic(ScriptedUpstream):
    def __init__(self, default: Behaviour | None = None, api_key: str = API_KEY) -> None:
        super().__init__([Route("/v1/messages", self._messages, methods=["POST"]),
                          Route("/v1/messages/count_tokens", self._count_tokens, methods=["POST"]),
                          Route("/v1/models", self._models, methods=["GET"])], default)
        self.api_key = api_key
        self._count = 0

    async def _models(self, request: Request) -> Response:
        """GET /v1/models: the real API wants the key and a version header like every other call."""
        if request.headers.get("x-api-key") != self.api_key:
            return error_response(401, "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return error_response(400, "anthropic-version: header is required")
        return JSONResponse({"data": [{"type": "model", "id": "claude-sonnet-4-20250514", "display_name": "Claude Sonnet 4",
                                       "created_at": "2025-05-14T00:00:00Z"}], "has_more": False,
                             "first_id": "claude-sonnet-4-20250514", "last_id": "claude-sonnet-4-20250514"})

    async def _messages(self, request: Request) -> Response:
        body, behaviour = await self._take(request)
        try:
            check_headers(dict(request.headers), self.api_key)
            check_body(body)
        except Refused as refused:
            return error_response(refused.status, refused.message, refused.type)
        await self._wait(behaviour)
        if behaviour.status != 200:
            message = behaviour.error_message or f"fake upstream failure {behaviour.status}"
            return error_response(behaviour.status, message,
                                  headers=self._retry_headers(behaviour))
        self._count += 1
        message = self._message(body, behaviour, f"msg_fake{self._count:04d}")
        if body.get("stream"):
            events = self._events(message, behaviour)
            error = _sse("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
            return StreamingResponse(self._paced(events, behaviour, error.data), media_type="text/event-stream",
                                     headers={"request-id": "req_fake"})
        return JSONResponse(message, headers={"request-id": "req_fake"})

    async def _count_tokens(self, request: Request) -> Response:
        """Anthropic's token counter: here, one token per whitespace-separated word of the JSON body."""
        body, _ = await self._take(request)
        try:
            check_headers(dict(request.headers), self.api_key)
        except Refused as refused:
            return error_response(refused.status, refused.message, refused.type)
        return JSONResponse({"input_tokens": len(json.dumps(body).split())})

    def _message(self, body: dict[str, Any], behaviour: Behaviour, message_id: str) -> dict[str, Any]:
        reply = behaviour.reply
        words, capped = reply_words(reply, _last_user_text(body), body["max_tokens"])
        content: list[dict[str, Any]] = []
        if reply is not None and reply.thinking:
            content.append({"type": "thinking", "thinking": reply.thinking, "signature": SIGNATURE})
        if words:
            content.append({"type": "text", "text": " ".join(words)})
        for i, call in enumerate(reply.tool_calls if reply else ()):
            content.append({"type": "tool_use", "id": call.id or f"toolu_fake{self._count:04d}{i}",
                            "name": call.name, "input": call.arguments})
        stop = (reply.stop if reply and reply.stop else "max_tokens" if capped else
                "tool_use" if reply and reply.tool_calls else "end_turn")
        usage = reply.usage if reply and reply.usage else TokenUsage()
        generated = generated_tokens(words, reply.tool_calls if reply else (), behaviour.argument_piece)
        return {"id": message_id, "type": "message", "role": "assistant", "model": body["model"],
                "content": content, "stop_reason": stop, "stop_sequence": None,
                "usage": {"input_tokens": usage.input_tokens,
                          "output_tokens": generated if usage.output_tokens is None else usage.output_tokens,
                          "cache_creation_input_tokens": usage.cache_write,
                          "cache_read_input_tokens": usage.cache_read}}

    def _events(self, message: dict[str, Any], behaviour: Behaviour) -> list[StreamItem]:
        usage = message["usage"]
        start = {**message, "content": [], "stop_reason": None, "stop_sequence": None,
                 "usage": {**usage, "output_tokens": 1}}
        items = [_sse("message_start", {"type": "message_start", "message": start}), _sse("ping", {"type": "ping"})]
        for index, block in enumerate(message["content"]):
            items += self._block(index, block, behaviour)
        items.append(_sse("message_delta", {"type": "message_delta",
                                            "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                                            "usage": usage}))
        items.append(_sse("message_stop", {"type": "message_stop"}))
        return items

    @staticmethod
    def _block(index: int, block: dict[str, Any], behaviour: Behaviour) -> list[StreamItem]:
        def delta(payload: dict[str, Any]) -> StreamItem:
            return _sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": payload},
                        content=True)

        kind = block["type"]
        if kind == "text":
            start: dict[str, Any] = {"type": "text", "text": ""}
            words = block["text"].split(" ")
            deltas = [delta({"type": "text_delta", "text": w if i == 0 else " " + w}) for i, w in enumerate(words)]
        elif kind == "thinking":
            start = {"type": "thinking", "thinking": "", "signature": ""}
            words = block["thinking"].split(" ")
            deltas = [delta({"type": "thinking_delta", "thinking": w if i == 0 else " " + w})
                      for i, w in enumerate(words)]
            deltas.append(delta({"type": "signature_delta", "signature": block["signature"]}))
        else:
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            arguments = arguments_json(block["input"]) if block["input"] else ""
            deltas = [delta({"type": "input_json_delta", "partial_json": ""})]  # as the real API begins
            if arguments:
                deltas += [delta({"type": "input_json_delta", "partial_json": piece})
                           for piece in pieces(arguments, behaviour.argument_piece)]
        return [_sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}),
                *deltas, _sse("content_block_stop", {"type": "content_block_stop", "index": index})]


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        texts = [b.get("text", "") for b in content or () if b.get("type") == "text"]
        return " ".join(texts)
    return ""

