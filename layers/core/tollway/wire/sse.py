"""Server-sent events: read an upstream stream (from raw bytes or lines) and write ours.

Reading raw bytes, as an adapter gets them from the network:

    decoder = SSEDecoder()
    for chunk in (b'event: ping\\ndata: {"type": "pi', b'ng"}\\n\\n'):
        for event in decoder.feed(chunk):
            event.event, event.json()          # ('ping', {'type': 'ping'})
    decoder.finish()                           # an event left unterminated at EOF, if any

Writing: `encode(data)` for OpenAI-style `data:` events, `encode_event(name, data)` for the
named events of Anthropic's stream.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Any

from tollway.wire.json_codec import loads, utf8_json

DONE = b"data: [DONE]\n\n"


def _dumps(data: Any) -> str:
    return data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def encode(data: Any) -> bytes:
    return b"data: " + utf8_json(_dumps(data)) + b"\n\n"


def encode_event(event: str, data: Any) -> bytes:
    """One named event, as Anthropic writes them: `event: <name>` then one `data:` line."""
    return b"event: " + event.encode("ascii") + b"\ndata: " + utf8_json(_dumps(data)) + b"\n\n"


@dataclass(frozen=True)
class SSEEvent:
    """One dispatched event. `event` is None when the stream named none (OpenAI, Gemini)."""

    data: str
    event: str | None = None
    id: str | None = None

    def json(self) -> Any:
        """The data as JSON (orjson's speed; NaN and infinities are refused: not JSON)."""
        return loads(self.data)


class SSEDecoder:
    """The event-stream parser of the HTML spec, fed raw network chunks.

    Bytes are decoded incrementally, so a UTF-8 character split across two chunks comes out whole;
    lines end in LF, CRLF or CR, even when the CR and LF arrive in different chunks; comments
    (`:`) and `retry:` are ignored; multi-line `data:` fields are joined with LF; an event with no
    data is not dispatched (as the spec says). Invalid UTF-8 becomes U+FFFD rather than an error.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF belongs to it
        self._started = False
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        return self._text(self._decoder.decode(chunk))

    def finish(self) -> list[SSEEvent]:
        """End of stream: the spec drops an unterminated event; we keep it if it has data, because
        servers that close right after their last `data:` line (without a blank line) exist."""
        events = self._text(self._decoder.decode(b"", final=True))
        if self._buffer:
            self._line(self._buffer)
            self._buffer = ""
        if self._data:
            events.extend(self._dispatch())
        return events

    def _text(self, text: str) -> list[SSEEvent]:
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._skip_lf and text:
            self._skip_lf = False
            text = text.removeprefix("\n")
        self._buffer += text
        events: list[SSEEvent] = []
        while True:
            cut = _line_end(self._buffer)
            if cut is None:
                return events
            end, width = cut
            if width == 1 and self._buffer[end] == "\r" and end + 1 == len(self._buffer):
                self._skip_lf = True  # CR at the end of what we have: maybe CRLF split in two
            line, self._buffer = self._buffer[:end], self._buffer[end + width:]
            if line == "":
                events.extend(self._dispatch())
            else:
                self._line(line)

    def _line(self, line: str) -> None:
        if line.startswith(":"):
            return
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value

    def _dispatch(self) -> list[SSEEvent]:
        data, event = self._data, self._event
        self._data, self._event = [], None
        if not data:
            return []
        return [SSEEvent("\n".join(data), event or None, self._id)]


def _line_end(text: str) -> tuple[int, int] | None:
    """Where the first line ends in `text` and how wide its terminator is (CRLF counts 2)."""
    cr, lf = text.find("\r"), text.find("\n")
    if cr == -1 and lf == -1:
        return None
    if cr == -1 or (lf != -1 and lf < cr):
        return lf, 1
    return cr, 2 if text.startswith("\n", cr + 1) else 1


async def aiter_events(chunks: AsyncIterable[bytes]) -> AsyncIterator[SSEEvent]:
    """The events of a byte stream, e.g. `aiter_events(response.aiter_bytes())`."""
    decoder = SSEDecoder()
    async for chunk in chunks:
        for event in decoder.feed(chunk):
            yield event
    for event in decoder.finish():
        yield event


async def data_lines(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The `data:` payloads of an event stream, one per event; stops at `[DONE]`.

    Multi-line data fields are joined with newlines as the SSE spec says; comments (`:`),
    `event:` and `id:` fields are dropped because OpenAI-style streams carry everything in data.
    """
    parts: list[str] = []
    async for line in lines:
        if line.startswith("data:"):
            parts.append(line[6:] if line.startswith("data: ") else line[5:])
        elif line == "" and parts:
            payload = "\n".join(parts)
            parts = []
            if payload.strip() == "[DONE]":
                return
            yield payload
    if parts:
        payload = "\n".join(parts)
        if payload.strip() != "[DONE]":
            yield payload
