"""An account's activity across all of its keys (revoked ones too: their history is the account's):
usage records, one request, operations.

    records = account_records(keys, days=30)          # newest first
    find_request(keys, "req_…")                      # None unless one of these keys made it
    account_operations(keys)                         # newest first
"""

from __future__ import annotations

import re
import time
from typing import Any

from tollway.auth.store import KeyRecord
from tollway.operations.records import Operation, recent_of_key
from tollway.usage.store import records_of
from tollway.usage.summary import window_start

HISTORY_DAYS = 30
_REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def account_records(keys: list[KeyRecord], days: int = HISTORY_DAYS, now: float | None = None) -> list[dict[str, Any]]:
    from tollway.ledger.flush import flush_all

    flush_all()  # what this process settled and has not written yet (one process under `tollway serve`)
    since = window_start(days, time.time() if now is None else now)
    found = [record for key in keys for record in records_of(key.id, since=since)]
    return sorted(found, key=lambda r: (float(r["at"]), str(r["request_id"])), reverse=True)


def find_request(keys: list[KeyRecord], request_id: str) -> dict[str, Any] | None:
    if not _REQUEST_ID.match(request_id):
        return None
    return next((r for r in account_records(keys, HISTORY_DAYS + 1) if r.get("request_id") == request_id), None)


def account_operations(keys: list[KeyRecord], limit: int = 50) -> list[Operation]:
    found = [op for key in keys for op in recent_of_key(key.id, limit)]
    return sorted(found, key=lambda op: op.created_at, reverse=True)[:limit]
