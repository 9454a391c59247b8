"""A fake OpenAI-compatible upstream: a real HTTP server speaking the Chat Completions wire format
(JSON and SSE), with knobs for the failures the gateway must survive.

    upstream = FakeOpenAI().start()          # upstream.url + "/v1" is an OPENAI_BASE_URL
    upstream.script(Behaviour(status=500))   # the next request fails; later ones use the default
    upstream.requests[-1].body               # what the gateway sent
    FakeOpenAI(extra_routes=videos.routes()) # more of OpenAI's API, from other fake modules

Replies echo the last user message word by word; usage is exact: prompt_tokens = PROMPT_TOKENS,
completion_tokens = words sent (capped by max_tokens / max_completion_tokens).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from tests.fakes.server import ThreadedServer

PROMPT_TOKENS = 10


@dataclass
class Behaviour:
    status: int = 200
    delay_s: float = 0.0  # before the response starts
    chunk_delay_s: float = 0.0  # between stream chunks
    fail_after_chunks: int | None = None  # streams: drop the connection after this many content chunks
    omit_usage: bool = False
    retry_after: str | None = None
    error_message: str | None = None  # the upstream's error text (default: "fake upstream failure <status>")
    # Hold the response until this event is set (or hold_timeout_s passes).
    hold: threading.Event | None = None
    hold_timeout_s: float = 10.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeOpenAI:
    def __init__(self, default: Behaviour | None = None, extra_routes: Sequence[BaseRoute] = ()) -> None:
        self.default = default or Behaviour()
        self._scripted: deque[Behaviour] = deque()
        self.requests: list[Received] = []
        self.chunks_sent_at: list[float] = []
        self._lock = threading.Lock()
        self.app = Starlette(routes=[
            Route("/v1/chat/completions", self._chat, methods=["POST"]),
            Route("/v1/models", self._models, methods=["GET"]),
            *extra_routes,
        ])
        self._server: ThreadedServer | None = None

    # -- control ---------------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        self._server = ThreadedServer(self.app).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return self._server.url

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def script(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._scripted.extend(behaviours)

    def reset(self) -> None:
        with self._lock:
            self._scripted.clear()
            self.requests.clear()
            self.chunks_sent_at.clear()
        self.default = Behaviour()

    def _next(self) -> Behaviour:
        with self._lock:
            return self._scripted.popleft() if self._scripted else self.default

    # -- wire ------------------------------------------------------------------------------------

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": "gpt-4o-mini", "object": "model", "created": 0, "owned_by": "openai"}]})

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        with self._lock:
            self.requests.append(Received(request.url.path, dict(request.headers), body))
        behaviour = self._next()
        if behaviour.hold is not None:
            await asyncio.to_thread(behaviour.hold.wait, behaviour.hold_timeout_s)
        if behaviour.delay_s:
            await asyncio.sleep(behaviour.delay_s)
        if behaviour.status != 200:
            headers = {"retry-after": behaviour.retry_after} if behaviour.retry_after else {}
            message = behaviour.error_message or f"fake upstream failure {behaviour.status}"
            return JSONResponse({"error": {"message": message,
                                           "type": "server_error", "code": None, "param": None}},
                                status_code=behaviour.status, headers=headers)
        words = _reply_words(body)
        if body.get("stream"):
            return StreamingResponse(self._stream(body, words, behaviour), media_type="text/event-stream")
        reply: dict[str, Any] = {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": " ".join(words)},
                         "logprobs": None, "finish_reason": "stop"}],
        }
        if not behaviour.omit_usage:
            reply["usage"] = {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": len(words),
                              "total_tokens": PROMPT_TOKENS + len(words)}
        return JSONResponse(reply)

    async def _stream(self, body: dict[str, Any], words: list[str], behaviour: Behaviour):  # type: ignore[no-untyped-def]
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body["model"]}

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            data = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
            return f"data: {json.dumps(data)}\n\n".encode()

        yield chunk({"role": "assistant", "content": ""})
        for i, word in enumerate(words):
            if behaviour.fail_after_chunks is not None and i >= behaviour.fail_after_chunks:
                raise ConnectionResetError("fake upstream drops the connection mid-stream")
            if behaviour.chunk_delay_s and i:
                await asyncio.sleep(behaviour.chunk_delay_s)
            self.chunks_sent_at.append(time.monotonic())
            yield chunk({"content": word if i == 0 else " " + word})
        yield chunk({}, "stop")
        include = (body.get("stream_options") or {}).get("include_usage")
        if include and not behaviour.omit_usage:
            usage = {**base, "choices": [], "usage": {"prompt_tokens": PROMPT_TOKENS,
                                                       "completion_tokens": len(words),
                                                       "total_tokens": PROMPT_TOKENS + len(words)}}
            yield f"data: {json.dumps(usage)}\n\n".encode()
        yield b"data: [DONE]\n\n"


def _reply_words(body: dict[str, Any]) -> list[str]:
    text = ""
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            text = message["content"]
            break
    words = text.split() or ["ok"]
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    return words[:limit] if limit else words
