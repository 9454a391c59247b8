"""The usage record: what was asked, what it cost, how it ended. One per admitted (or refused) request.

    record = UsageRecord(request_id="req_…", key_id="…", endpoint="chat.completions", model="gpt-4o",
                         provider="openai")
    record.to_dict()                 # the stored form (field names as the usage API shows them)
    UsageRecord.from_dict(stored)

Records are stored packed, several to a DynamoDB item (see store.py): this module only knows one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def stamp(at: float) -> str:
    """An ISO-8601 UTC time with microseconds: sort keys order by it."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class UsageRecord:
    request_id: str
    key_id: str
    endpoint: str
    model: str
    provider: str
    stream: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    credits_micro: int = 0
    reserved_micro: int = 0
    status: str = "ok"  # ok | upstream_error | client_disconnected | time_limit | refused | expired | …
    http_status: int = 200
    error_code: str | None = None
    started: float = 0.0  # monotonic, in the process that served it (for the latency)
    latency_ms: int = 0
    fallback_from: str | None = None  # the model the client asked for, when another one answered
    # The record's date: its request's admission time (set by settlement), so every writer of this
    # request's record — a retried settlement, the sweeper, a late settlement — names the same item.
    recorded_at: float | None = None
    # What the sweeper had already charged when this request settled after its hold expired.
    swept_micro: int | None = None

    def finish(self) -> None:
        if self.started:  # a record made in another process (an operation) brings its own latency
            self.latency_ms = int((time.monotonic() - self.started) * 1000)

    def at(self) -> float:
        if self.recorded_at is None:
            self.recorded_at = time.time()
        return self.recorded_at

    def to_dict(self) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "request_id": self.request_id, "key_id": self.key_id, "at": self.at(), "endpoint": self.endpoint,
            "model": self.model, "provider": self.provider, "stream": self.stream,
            "tokens_in": self.prompt_tokens, "tokens_out": self.completion_tokens,
            "credits_micro": self.credits_micro, "reserved_micro": self.reserved_micro,
            "status": self.status, "http_status": self.http_status, "latency_ms": self.latency_ms,
        }
        if self.error_code:
            stored["error_code"] = self.error_code
        if self.fallback_from:
            stored["fallback_from"] = self.fallback_from
        if self.swept_micro is not None:
            stored["swept_micro"] = self.swept_micro
        return stored

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> UsageRecord:
        return cls(request_id=stored["request_id"], key_id=stored["key_id"], endpoint=stored["endpoint"],
                   model=stored["model"], provider=stored["provider"], stream=bool(stored.get("stream")),
                   prompt_tokens=int(stored.get("tokens_in", 0)), completion_tokens=int(stored.get("tokens_out", 0)),
                   credits_micro=int(stored.get("credits_micro", 0)),
                   reserved_micro=int(stored.get("reserved_micro", 0)), status=stored.get("status", "ok"),
                   http_status=int(stored.get("http_status", 0)), error_code=stored.get("error_code"),
                   latency_ms=int(stored.get("latency_ms", 0)), fallback_from=stored.get("fallback_from"),
                   recorded_at=float(stored["at"]), swept_micro=stored.get("swept_micro"))

