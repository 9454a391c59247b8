"""The byte-level SSE reader: every way a real network can cut and frame an event stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tollway.wire.sse import SSEDecoder, SSEEvent, aiter_events, data_lines, encode, encode_event


def decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.finish()


CASES = [
    ("one data event", [b"data: {\"a\":1}\n\n"], [SSEEvent('{"a":1}')]),
    ("named event", [b"event: ping\ndata: {}\n\n"], [SSEEvent("{}", "ping")]),
    ("data without the optional space", [b"data:x\n\n"], [SSEEvent("x")]),
    ("only the first space is dropped", [b"data:  x\n\n"], [SSEEvent(" x")]),
    ("multi-line data joined with LF", [b"data: a\ndata: b\n\n"], [SSEEvent("a\nb")]),
    ("CRLF line ends", [b"event: e\r\ndata: x\r\n\r\n"], [SSEEvent("x", "e")]),
    ("CR line ends", [b"data: x\r\r"], [SSEEvent("x")]),
    ("CRLF split between chunks", [b"data: x\r", b"\n\r", b"\ndata: y\r\n\r\n"], [SSEEvent("x"), SSEEvent("y")]),
    ("comments ignored", [b": keep-alive\n\ndata: x\n: note\n\n"], [SSEEvent("x")]),
    ("retry field ignored", [b"retry: 100\ndata: x\n\n"], [SSEEvent("x")]),
    ("id kept", [b"id: 7\ndata: x\n\n"], [SSEEvent("x", None, "7")]),
    ("event without data is not dispatched", [b"event: e\n\ndata: x\n\n"], [SSEEvent("x")]),
    ("event name does not leak into the next event", [b"event: e\ndata: 1\n\ndata: 2\n\n"],
     [SSEEvent("1", "e"), SSEEvent("2")]),
    ("field split mid-name", [b"da", b"ta: x", b"\n", b"\n"], [SSEEvent("x")]),
    ("byte order mark at the start", [b"\xef\xbb\xbfdata: x\n\n"], [SSEEvent("x")]),
    ("unterminated last event kept at EOF", [b"data: x\n\ndata: last"], [SSEEvent("x"), SSEEvent("last")]),
    ("empty stream", [], []),
    ("Gemini framing", [b'data: {"candidates": []}\r\n\r\ndata: {"b": 2}\r\n\r\n'],
     [SSEEvent('{"candidates": []}'), SSEEvent('{"b": 2}')]),
]


@pytest.mark.parametrize(("chunks", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decoder_reads_events(chunks: list[bytes], expected: list[SSEEvent]) -> None:
    assert decode(chunks) == expected


STREAM = ('event: content_block_delta\r\ndata: {"text": "naïve 日本語 🙂 done"}\r\n\r\n'
          ': ping\n\ndata: second\n\n').encode("utf-8")


@pytest.mark.parametrize("cut", range(1, len(STREAM)))
def test_decoder_gives_the_same_events_wherever_the_network_cuts_the_bytes(cut: int) -> None:
    assert decode([STREAM[:cut], STREAM[cut:]]) == [
        SSEEvent('{"text": "naïve 日本語 🙂 done"}', "content_block_delta"), SSEEvent("second")]


def test_decoder_survives_a_stream_fed_one_byte_at_a_time() -> None:
    assert decode([bytes([b]) for b in STREAM])[0].json() == {"text": "naïve 日本語 🙂 done"}


def test_invalid_utf8_becomes_a_replacement_character_not_an_error() -> None:
    assert decode([b"data: \xff\n\n"]) == [SSEEvent("\ufffd")]


def test_encoders_write_what_the_decoder_reads() -> None:
    written = encode({"a": "ü"}) + encode_event("message_stop", {"type": "message_stop"})
    assert written == 'data: {"a":"ü"}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n'.encode()
    assert decode([written]) == [SSEEvent('{"a":"ü"}'), SSEEvent('{"type":"message_stop"}', "message_stop")]


async def _chunks(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _lines(text: str) -> AsyncIterator[str]:
    for line in text.split("\n"):
        yield line


def test_aiter_events_reads_an_async_byte_stream() -> None:
    async def collect() -> list[SSEEvent]:
        return [event async for event in aiter_events(_chunks([b"event: a\nda", b"ta: 1\n\n", b"data: 2\n\n"]))]

    assert asyncio.run(collect()) == [SSEEvent("1", "a"), SSEEvent("2")]


def test_data_lines_still_stops_at_done_for_the_openai_adapter() -> None:
    async def collect() -> list[str]:
        return [d async for d in data_lines(_lines('data: {"a":1}\n\ndata: x\ndata: y\n\ndata: [DONE]\n\ndata: z\n\n'))]

    assert asyncio.run(collect()) == ['{"a":1}', "x\ny"]
