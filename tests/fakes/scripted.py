"""What the fake upstreams share: failure knobs, scripted replies, the request log, the server.

    upstream.script(Behaviour(status=529))                       # the next request fails
    upstream.script(Behaviour(reply=Reply(tool_calls=[ToolCall("lookup", {"q": "x"})])))
    upstream.requests[-1].body                                   # what the gateway sent

A `Reply` is provider-neutral; each fake renders it in its own wire format. `stop` is written in
the provider's own words ("end_turn" for Anthropic, "stop" for OpenAI, "STOP" for Gemini).
`TokenUsage.input_tokens` are the uncached prompt tokens (Anthropic's meaning); each fake adds
the cache reads and writes to its prompt count the way its provider does.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from tests.fakes.server import AppServer

PROMPT_TOKENS = 10


@dataclass
class ToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str | None = None  # None: the fake makes one in its provider's style (Gemini: none at all)


@dataclass
class TokenUsage:
    input_tokens: int = PROMPT_TOKENS  # uncached prompt tokens
    output_tokens: int | None = None  # None: one per word/argument piece sent
    cache_read: int = 0
    cache_write: int = 0


@dataclass
class Reply:
    text: str | None = None  # None: echo the last user text (or nothing, when there are tool calls)
    tool_calls: list[ToolCall] = field(default_factory=list)
    thinking: str | None = None
    stop: str | None = None  # the provider's own stop/finish reason; None: derived from the content
    usage: TokenUsage | None = None


@dataclass
class Behaviour:
    status: int = 200
    delay_s: float = 0.0  # before the response starts
    chunk_delay_s: float = 0.0  # between stream chunks
    fail_after_chunks: int | None = None  # streams: drop the connection after this many content chunks
    error_after_chunks: int | None = None  # streams: send the provider's in-stream error after this many
    omit_usage: bool = False
    retry_after: str | None = None
    error_message: str | None = None  # the upstream's error text (default: "fake upstream failure <status>")
    # Hold the response until this event is set (or hold_timeout_s passes).
    hold: threading.Event | None = None
    hold_timeout_s: float = 10.0
    reply: Reply | None = None
    argument_piece: int = 7  # streams: tool-call arguments are sent in pieces of this many characters
    byte_chunk_size: int | None = None  # streams: write each event in pieces this small (splits UTF-8)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.monotonic)
    query: str = ""


@dataclass(frozen=True)
class StreamItem:
    """One event of a fake stream; `content` ones count for the pacing and failure knobs."""

    data: bytes
    content: bool = False


class ScriptedUpstream(AppServer):
    def __init__(self, routes: list[Route], default: Behaviour | None = None) -> None:
        self.default = default or Behaviour()
        self._scripted: deque[Behaviour] = deque()
        self.requests: list[Received] = []
        self.chunks_sent_at: list[float] = []
        self._lock = threading.Lock()
        self.app = Starlette(routes=routes)

    # -- control ---------------------------------------------------------------------------------

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

    # -- helpers for the wire ------------------------------------------------------------------------

    def _record(self, request: Request, body: Any) -> None:
        with self._lock:
            self.requests.append(Received(request.url.path, dict(request.headers), body, query=request.url.query))

    async def _take(self, request: Request) -> tuple[Any, Behaviour]:
        """The request's JSON body (None when it is not JSON), logged, and the behaviour to answer with."""
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        self._record(request, body)
        return body, self._next()

    @staticmethod
    def _retry_headers(behaviour: Behaviour) -> dict[str, str]:
        return {"retry-after": behaviour.retry_after} if behaviour.retry_after else {}

    @staticmethod
    async def _wait(behaviour: Behaviour) -> None:
        if behaviour.hold is not None:
            await asyncio.to_thread(behaviour.hold.wait, behaviour.hold_timeout_s)
        if behaviour.delay_s:
            await asyncio.sleep(behaviour.delay_s)

    async def _paced(self, items: Iterable[StreamItem], behaviour: Behaviour,
                     error: bytes | None = None) -> AsyncIterator[bytes]:
        """Send the items with the behaviour's pacing, failure and byte-splitting knobs applied."""
        sent = 0
        for item in items:
            if item.content:
                if behaviour.fail_after_chunks is not None and sent >= behaviour.fail_after_chunks:
                    raise ConnectionResetError("fake upstream drops the connection mid-stream")
                if behaviour.error_after_chunks is not None and sent >= behaviour.error_after_chunks:
                    if error is not None:
                        yield error
                    return
                if behaviour.chunk_delay_s and sent:
                    await asyncio.sleep(behaviour.chunk_delay_s)
                self.chunks_sent_at.append(time.monotonic())
                sent += 1
            size = behaviour.byte_chunk_size
            if size:
                for start in range(0, len(item.data), size):
                    yield item.data[start:start + size]
            else:
                yield item.data


def pieces(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), max(size, 1))] or [""]


def reply_words(reply: Reply | None, last_user_text: str, limit: int | None) -> tuple[list[str], bool]:
    """The words to send and whether the token limit cut them (one word is one token here)."""
    if reply is not None and reply.text is not None:
        words = reply.text.split(" ") if reply.text else []
    elif reply is not None and reply.tool_calls:
        words = []
    else:
        words = last_user_text.split() or ["ok"]
    if limit and len(words) > limit:
        return words[:limit], True
    return words, False


def arguments_json(arguments: dict[str, Any]) -> str:
    """Tool arguments as the fakes send them: JSON with non-ASCII kept raw (so UTF-8 can split)."""
    return json.dumps(arguments, ensure_ascii=False)


def generated_tokens(words: list[str], calls: Iterable[ToolCall], piece: int) -> int:
    """What a fake reports as completion tokens: one per word and one per argument piece."""
    return len(words) + sum(len(pieces(arguments_json(call.arguments), piece)) for call in calls)


def is_base64(data: Any) -> bool:
    """Whether `data` is a non-empty, strictly valid base64 string (as upstreams check inline media)."""
    if not isinstance(data, str) or not data:
        return False
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
