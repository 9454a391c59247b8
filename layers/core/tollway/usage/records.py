"""The usage record: what was asked, what it cost, how it ended. One per admitted request."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


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
    status: str = "ok"  # ok | upstream_error | client_disconnected | refused | failed | cancelled
    http_status: int = 200
    error_code: str | None = None
    started: float = 0.0
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

    def sort_key(self, now: float) -> str:
        at = self.recorded_at if self.recorded_at is not None else now
        stamp = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return f"{stamp}#{self.request_id}"

    def to_item(self, now: float) -> dict[str, Any]:
        """DynamoDB low-level attribute values."""
        item: dict[str, Any] = {
            "key_id": {"S": self.key_id},
            "sk": {"S": self.sort_key(now)},
            "request_id": {"S": self.request_id},
            "endpoint": {"S": self.endpoint},
            "model": {"S": self.model},
            "provider": {"S": self.provider},
            "stream": {"BOOL": self.stream},
            "tokens_in": {"N": str(self.prompt_tokens)},
            "tokens_out": {"N": str(self.completion_tokens)},
            "credits_micro": {"N": str(self.credits_micro)},
            "reserved_micro": {"N": str(self.reserved_micro)},
            "status": {"S": self.status},
            "http_status": {"N": str(self.http_status)},
            "latency_ms": {"N": str(self.latency_ms)},
        }
        if self.error_code:
            item["error_code"] = {"S": self.error_code}
        if self.fallback_from:
            item["fallback_from"] = {"S": self.fallback_from}
        if self.swept_micro is not None:
            item["swept_micro"] = {"N": str(self.swept_micro)}
        return item


def record_refusal(record: UsageRecord) -> None:
    """A request refused at admission (402/429/403): no money moved, one PutItem records why."""
    from tollway.aws_clients import client
    from tollway.config import settings

    record.finish()
    client("dynamodb").put_item(TableName=settings().usage_table, Item=record.to_item(time.time()))
