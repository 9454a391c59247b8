"""A fake OpenAI-compatible upstream: a real HTTP server speaking the Chat Completions wire format
(JSON and SSE), with knobs for the failures the gateway must survive.

    upstream = FakeOpenAI().start()          # upstream.url + "/v1" is an OPENAI_BASE_URL
    upstream.script(Behaviour(status=500))   # the next request fails; later ones use the default
    upstream.script(Behaviour(reply=Reply(tool_calls=[ToolCall("lookup", {"q": "tea"})])))
    upstream.requests[-1].body               # what the gateway sent
    FakeOpenAI(extra_routes=videos.routes()) # more of OpenAI's API, from other fake modules

Replies echo the last user message word by word; usage is exact: prompt_tokens = PROMPT_TOKENS,
completion_tokens = words sent (capped by max_tokens / max_completion_tokens). A scripted `Reply`
can instead give text, tool calls (streamed as an id/name delta, then the arguments in pieces of
`Behaviour.argument_piece` characters), reasoning (as `reasoning_content`, DeepSeek style), a
finish_reason and usage with cached tokens. POST /v1/responses speaks the Responses API
(tests/fakes/openai_responses.py) from the same script, and POST /v1/realtime/client_secrets mints
realtime client secrets (tests/fakes/openai_realtime.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from tests.fakes.scripted import (
    PROMPT_TOKENS,
    Behaviour,
    Received,
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

__all__ = ["PROMPT_TOKENS", "Behaviour", "FakeOpenAI", "Received", "Reply", "TokenUsage", "ToolCall"]


class FakeOpenAI(ScriptedUpstream):
    def __init__(self, default: Behaviour | None = None, extra_routes: Sequence[BaseRoute] = ()) -> None:
        super().__init__([Route("/v1/chat/completions", self._chat, methods=["POST"]),
                          Route("/v1/responses", self._responses, methods=["POST"]),
                          Route("/v1/realtime/client_secrets", self._client_secret, methods=["POST"]),
                          # Workers AI's OpenAI-compatible chat, under an account (base URL without /v1)
                          Route("/accounts/{account}/ai/v1/chat/completions", self._chat, methods=["POST"]),
                          Route("/v1/models", self._models, methods=["GET"]), *extra_routes], default)
        self.listed_models: list[str] = ["gpt-4o-mini"]  # what GET /v1/models lists (see _models)
        self.model_list_headers: list[dict[str, str]] = []

    def add_routes(self, routes: list[BaseRoute]) -> None:
        """Serve more endpoints at the same base URL (e.g. the media fakes of tests/fakes/media_upstreams.py)."""
        self.app.router.routes.extend(routes)

    # -- wire ------------------------------------------------------------------------------------

    # GET /v1/models lists these (the real shape: {"object": "list", "data": [{"id", "object", "created",
    # "owned_by"}]}); a test may replace them, and sees the headers each listing was asked with.
    async def _models(self, request: Request) -> Response:
        self.model_list_headers.append(dict(request.headers))
        return JSONResponse({"object": "list", "data": [
            {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "system"}
            for model in self.listed_models]})

    async def _responses(self, request: Request) -> Response:
        from tests.fakes.openai_responses import respond

        return await respond(self, request)

    async def _client_secret(self, request: Request) -> Response:
        from tests.fakes.openai_realtime import client_secret

        return await client_secret(self, request)

    async def _chat(self, request: Request) -> Response:
        body, behaviour = await self._take(request)
        await self._wait(behaviour)
        if behaviour.status != 200:
            message = behaviour.error_message or f"fake upstream failure {behaviour.status}"
            return JSONResponse({"error": {"message": message,
                                           "type": "server_error", "code": None, "param": None}},
                                status_code=behaviour.status, headers=self._retry_headers(behaviour))
        reply = behaviour.reply
        words, capped = reply_words(reply, _last_user_text(body),
                                    body.get("max_completion_tokens") or body.get("max_tokens"))
        calls = [(call.id or f"call_fake{i}", call) for i, call in enumerate(reply.tool_calls)] if reply else []
        finish = (reply.stop if reply and reply.stop else
                  "length" if capped and reply else "tool_calls" if calls else "stop")
        if body.get("stream"):
            items = self._stream(body, words, calls, finish, behaviour)
            return StreamingResponse(self._paced(items, behaviour, _error_event()), media_type="text/event-stream")
        message: dict[str, Any] = {"role": "assistant", "content": " ".join(words)}
        if reply is not None:
            message = {"role": "assistant", "content": " ".join(words) if words or not calls else None,
                       "refusal": None}
            if reply.thinking:
                message["reasoning_content"] = reply.thinking
            if calls:
                message["tool_calls"] = [{"id": call_id, "type": "function",
                                          "function": {"name": call.name, "arguments": arguments_json(call.arguments)}}
                                         for call_id, call in calls]
        completion: dict[str, Any] = {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        }
        if not behaviour.omit_usage:
            generated = generated_tokens(words, (c for _, c in calls), behaviour.argument_piece)
            completion["usage"] = _usage(reply, generated)
        return JSONResponse(completion)

    def _stream(self, body: dict[str, Any], words: list[str], calls: list[tuple[str, ToolCall]], finish: str,
                behaviour: Behaviour) -> list[StreamItem]:
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body["model"]}

        def chunk(delta: dict[str, Any], finish_reason: str | None = None, content: bool = True) -> StreamItem:
            data = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                         "finish_reason": finish_reason}]}
            return StreamItem(f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode(), content)

        items = [chunk({"role": "assistant", "content": ""}, content=False)]
        reply = behaviour.reply
        if reply is not None and reply.thinking:
            items += [chunk({"reasoning_content": w if i == 0 else " " + w})
                      for i, w in enumerate(reply.thinking.split(" "))]
        items += [chunk({"content": word if i == 0 else " " + word}) for i, word in enumerate(words)]
        generated = len(words)
        for index, (call_id, call) in enumerate(calls):
            items.append(chunk({"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                                "function": {"name": call.name, "arguments": ""}}]}))
            for piece in pieces(arguments_json(call.arguments), behaviour.argument_piece):
                generated += 1
                items.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
        items.append(chunk({}, finish, content=False))
        include = (body.get("stream_options") or {}).get("include_usage")
        if include and not behaviour.omit_usage:
            usage = {**base, "choices": [], "usage": _usage(reply, generated)}
            items.append(StreamItem(f"data: {json.dumps(usage)}\n\n".encode()))
        items.append(StreamItem(b"data: [DONE]\n\n"))
        return items


def _usage(reply: Reply | None, generated: int) -> dict[str, Any]:
    if reply is None or reply.usage is None:
        return {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": generated,
                "total_tokens": PROMPT_TOKENS + generated}
    usage = reply.usage
    prompt = usage.input_tokens + usage.cache_read + usage.cache_write
    completion = generated if usage.output_tokens is None else usage.output_tokens
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": usage.cache_read, "cache_write_tokens": usage.cache_write}}


def _error_event() -> bytes:
    error = {"error": {"message": "fake upstream failed mid-stream", "type": "server_error", "code": None,
                       "param": None}}
    return f"data: {json.dumps(error)}\n\n".encode()


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return str(message["content"])
    return ""
