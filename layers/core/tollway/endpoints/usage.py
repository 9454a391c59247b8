"""GET /api/v1/inference/usage and /requests/{id}: a key's usage read back (the operator: every key's).

    reply = await show_usage(caller, {"since": "2026-12-01", "provider": "openai", "limit": "20"})
    reply.body["data"]   # {"summary": {"totalRequests", …, "totalCredits"}, "requests": [...], "nextCursor"}
    reply = await show_request(caller, "req_…")   # 404 for another key's request: never a hint it exists

Dates are ISO dates (a whole UTC day: `until` includes it) or date-times (with an offset, or UTC);
the range is at most MAX_RANGE_S long, `limit` at most MAX_LIMIT. Answered by DynamoDB queries of the
key's shards, or of the day indexes for the operator (usage/queries.py), never a scan.
"""

from __future__ import annotations

import re
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.endpoints.providers import READ, authorize
from tollway.endpoints.reply import Reply
from tollway.errors import InvalidRequest, NotFound, PermissionDenied
from tollway.ledger.money import credits_json
from tollway.wire.inference import envelope

MAX_LIMIT = 1000
DEFAULT_LIMIT = 50
PROVIDER = re.compile(r"[a-z][a-z0-9_-]{0,39}")
KEY_ID = re.compile(r"[0-9a-f]{16}")
_PARAMS = frozenset({"provider", "since", "until", "limit", "cursor", "keyId"})


def _when(name: str, value: str, *, end_of_day: bool) -> float:
    if "T" in value:
        value = value.replace(" ", "+")  # an offset's `+` sent unencoded in the query arrives as a space
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time(), UTC)
            return moment.timestamp() - (1e-6 if end_of_day else 0)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidRequest(f"{name}: must be an ISO date (2026-12-01) or date-time (2026-12-01T10:00:00Z)",
                             param=name) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise InvalidRequest(f"limit: must be a whole number from 1 to {MAX_LIMIT}", param="limit")
    return int(value)


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def request_json(record: dict[str, Any], *, with_key: bool) -> dict[str, Any]:
    tokens_in, tokens_out = int(record.get("tokens_in", 0)), int(record.get("tokens_out", 0))
    shown = {"requestId": record["request_id"], "createdAt": _iso(float(record["at"])),
             "endpoint": record.get("endpoint"), "model": record.get("model"), "provider": record.get("provider"),
             "status": record.get("status"), "httpStatus": int(record.get("http_status", 0)),
             "inputTokens": tokens_in, "outputTokens": tokens_out, "totalTokens": tokens_in + tokens_out,
             "credits": credits_json(int(record.get("credits_micro", 0))),
             "durationMs": int(record.get("latency_ms", 0)), "stream": bool(record.get("stream")),
             "fallback": record.get("fallback_from") is not None, "fallbackFrom": record.get("fallback_from"),
             "errorCode": record.get("error_code")}
    if with_key:
        shown["keyId"] = record.get("key_id")
    return shown


async def show_usage(caller: Caller, query: dict[str, str]) -> Reply:
    key_id = await authorize(caller, READ)
    unknown = sorted(set(query) - _PARAMS)
    if unknown:
        raise InvalidRequest(f"{unknown[0]}: is not a parameter of this route", param=unknown[0])
    from tollway.usage.queries import MAX_RANGE_S, decode_cursor, usage_page

    until = _when("until", query["until"], end_of_day=True) if query.get("until") else None
    since = _when("since", query["since"], end_of_day=False) if query.get("since") else None
    now = clock.time()
    if since is not None and since > (until if until is not None else now):
        raise InvalidRequest("since: must be before until", param="since")
    if (until if until is not None else now) - (since if since is not None else now - 7 * 86400) > MAX_RANGE_S:
        raise InvalidRequest(f"since: the range may be at most {MAX_RANGE_S // 86400} days", param="since")
    limit = _limit(query.get("limit"))
    cursor = query.get("cursor") or None
    if cursor is not None:
        try:
            decode_cursor(cursor)
        except ValueError:
            raise InvalidRequest("cursor: is not a cursor this API gave", param="cursor") from None
    provider = query.get("provider") or None
    if provider is not None and not PROVIDER.fullmatch(provider):
        raise InvalidRequest("provider: is not a provider name", param="provider")
    only = query.get("keyId") or None
    if only is not None and not KEY_ID.fullmatch(only):
        raise InvalidRequest("keyId: is not a key id (16 hexadecimal digits)", param="keyId")
    if only is not None and key_id is not None and only != key_id:
        raise PermissionDenied("keyId: only the operator may read another key's usage")
    page = await anyio.to_thread.run_sync(lambda: usage_page(
        key_id=key_id, since=since, until=until, provider=provider, limit=limit, cursor=cursor,
        only_key=only if key_id is None else None))
    s = page.summary
    summary = {"totalRequests": s.total_requests, "totalErrors": s.total_errors,
               "totalInputTokens": s.total_input_tokens, "totalOutputTokens": s.total_output_tokens,
               "totalTokens": s.total_input_tokens + s.total_output_tokens, "avgDurationMs": s.avg_duration_ms,
               "totalCredits": credits_json(s.total_credits_micro)}
    return Reply(body=envelope({"summary": summary,
                                "requests": [request_json(r, with_key=key_id is None) for r in page.records],
                                "nextCursor": page.next_cursor}))


async def show_request(caller: Caller, request_id: str) -> Reply:
    key_id = await authorize(caller, READ)
    from tollway.usage.queries import request_record

    found = await anyio.to_thread.run_sync(lambda: request_record(key_id, request_id)) \
        if len(request_id) <= 64 else None
    if found is None:
        raise NotFound(f"No request {request_id[:64]!r}")
    return Reply(body=envelope(request_json(found, with_key=key_id is None)))
