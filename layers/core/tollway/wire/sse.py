"""Server-sent events: just enough of the format to read an upstream stream and write ours."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

DONE = b"data: [DONE]\n\n"


def encode(data: Any) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return b"data: " + text.encode("utf-8") + b"\n\n"


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
