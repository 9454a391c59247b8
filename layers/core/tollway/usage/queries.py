"""Reading usage back: a key's records (or, for the operator, every key's) over a time range, filtered
by provider, newest first, a page at a time with the range's totals; and one request by its id.

    found = usage_page(key_id="…", provider="openai", since=t0, until=t1, limit=50, cursor=None)
    found.summary.total_credits_micro, found.records, found.next_cursor
    request_record("…", "req_…")        # None: no such request of this key (never a hint of another's)

Every read is a Query — a key's 16 shards (usage/store.py), or the `by_day` / `by_provider_day`
indexes day by day for the operator — never a scan. Request ids carry their admission time
(`req_` + milliseconds in hex + randomness), so a request is found in the few seconds around it.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tollway.usage.records import stamp
from tollway.usage.store import LOOKBACK_S, SHARDS, item_records, partition

DEFAULT_RANGE_S = 7 * 86400
MAX_RANGE_S = 93 * 86400
REQUEST_WINDOW_S = LOOKBACK_S + 5.0


@dataclass
class Summary:
    total_requests: int = 0
    total_errors: int = 0
    total_input_tokens: int = 0
    total_output_tokens: int = 0
    total_credits_micro: int = 0
    total_latency_ms: int = 0

    def add(self, record: dict[str, Any]) -> None:
        self.total_requests += 1
        self.total_errors += int(int(record.get("http_status", 200)) >= 400 or record.get("status") not in ("ok",))
        self.total_input_tokens += int(record.get("tokens_in", 0))
        self.total_output_tokens += int(record.get("tokens_out", 0))
        self.total_credits_micro += int(record.get("credits_micro", 0))
        self.total_latency_ms += int(record.get("latency_ms", 0))

    @property
    def avg_duration_ms(self) -> float:
        return round(self.total_latency_ms / self.total_requests, 1) if self.total_requests else 0.0


@dataclass
class UsagePage:
    summary: Summary
    records: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def _order(record: dict[str, Any]) -> tuple[float, str]:
    return float(record["at"]), str(record["request_id"])


def encode_cursor(record: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(_order(record))).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, str]:
    """ValueError for anything that is not a cursor this module made."""
    try:
        at, request_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return float(at), str(request_id)
    except (ValueError, TypeError) as exc:
        raise ValueError("not a cursor of this API") from exc


def _query(index: str | None, name: str, value: str, low: str, high: str,
           provider: str | None) -> Iterator[dict[str, Any]]:
    from tollway.aws_clients import client
    from tollway.config import settings

    kw: dict[str, Any] = {"TableName": settings().usage_table,
                          "KeyConditionExpression": "#pk = :pk AND sk BETWEEN :low AND :high",
                          "ExpressionAttributeNames": {"#pk": name},
                          "ExpressionAttributeValues": {":pk": {"S": value}, ":low": {"S": low}, ":high": {"S": high}}}
    if index is not None:
        kw["IndexName"] = index
    else:
        kw["ConsistentRead"] = True
    if provider is not None and index != "by_provider_day":
        kw["FilterExpression"] = "provider = :provider"
        kw["ExpressionAttributeValues"][":provider"] = {"S": provider}
    for page in client("dynamodb").get_paginator("query").paginate(**kw):
        yield from page["Items"]


def _items(key_id: str | None, provider: str | None, since: float, until: float) -> Iterator[dict[str, Any]]:
    low, high = stamp(since - LOOKBACK_S), stamp(until) + "~"
    if key_id is not None:
        for shard in range(SHARDS):
            yield from _query(None, "pk", partition(key_id, shard), low, high, provider)
        return
    day = datetime.fromtimestamp(since - LOOKBACK_S, UTC).date()
    last = datetime.fromtimestamp(until, UTC).date()
    while day <= last:
        for shard in range(SHARDS):
            if provider is None:
                yield from _query("by_day", "day", f"{day.isoformat()}#{shard:02d}", low, high, None)
            else:
                yield from _query("by_provider_day", "pday", f"{provider}#{day.isoformat()}#{shard:02d}", low,
                                  high, provider)
        day += timedelta(days=1)


def usage_page(*, key_id: str | None, since: float | None = None, until: float | None = None,
               provider: str | None = None, limit: int = 50, cursor: str | None = None,
               only_key: str | None = None) -> UsagePage:
    """The records of `key_id` (None: every key, the operator's view; `only_key` narrows that view to
    one key) admitted in [since, until] (default: the last 7 days), newest first."""
    until = time.time() if until is None else until
    since = until - DEFAULT_RANGE_S if since is None else since
    after = decode_cursor(cursor) if cursor else None
    summary = Summary()
    found = []
    for item in _items(key_id or only_key, provider, since, until):
        for record in item_records(item):
            if not since <= float(record["at"]) <= until:
                continue
            if provider is not None and record.get("provider") != provider:
                continue
            summary.add(record)
            if after is None or _order(record) < after:
                found.append(record)
    found.sort(key=_order, reverse=True)
    page = found[:limit]
    return UsagePage(summary, page, encode_cursor(page[-1]) if len(found) > limit else None)


def request_time(request_id: str) -> float | None:
    """The admission time a request id carries (`req_` + 12 hex digits of milliseconds), or None."""
    digits = request_id[4:16] if request_id.startswith("req_") else ""
    try:
        return int(digits, 16) / 1000 if len(digits) == 12 else None
    except ValueError:
        return None


def request_record(key_id: str | None, request_id: str, at: float | None = None) -> dict[str, Any] | None:
    """One request's record, if it is `key_id`'s (None: any key's, for the operator)."""
    at = request_time(request_id) if at is None else at
    if at is None:
        return None
    for item in _items(key_id, None, at - 1.0, at + REQUEST_WINDOW_S):
        for record in item_records(item):
            if record["request_id"] == request_id:
                return record
    return None
