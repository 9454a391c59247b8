"""What every use case answers, whatever the surface: JSON, SSE events or bytes.

    return Reply(meter.headers, body=completion)                         # JSON (status 200 unless told)
    return Reply.events(relay(...), meter.headers)                       # SSE, one encoded event per item
    return Reply(meter.headers, chunks=audio, content_type="audio/mpeg")  # bytes as the upstream sends them
    return Reply(meter.headers, content=transcript, content_type="text/plain; charset=utf-8")
    return Reply({"location": url}, status=302)                          # only a status and headers

The HTTP edge writes a Reply out and adds nothing of its own. A stream (events or bytes) is settled
when it ends, however it ends: whoever writes it must close it, even when the client left first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

JSON = "application/json"
EVENT_STREAM = "text/event-stream"


@dataclass
class Reply:
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None  # JSON
    content: bytes | None = None  # bytes in hand
    chunks: AsyncIterator[bytes] | None = None  # bytes as they are produced: SSE events or media
    content_type: str = JSON
    status: int = 200

    @classmethod
    def events(cls, events: AsyncIterator[bytes], headers: dict[str, str]) -> Reply:
        return cls(headers, chunks=events, content_type=EVENT_STREAM)

    @property
    def is_events(self) -> bool:
        return self.chunks is not None and self.content_type == EVENT_STREAM
