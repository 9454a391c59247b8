"""Whether the store answers: what `GET /health` reports beside the process's uptime.

    found = store_health()        # a GetItem of a fixed key of the keys table, at most every few seconds
    found.ok, found.latency_ms

One consistent-free GetItem of a key that never exists (half a read unit deployed), with a client of
its own: a second to connect, two to answer, no retries — a health check must answer quickly and say
"no" rather than wait through the store client's retries. The answer is cached for `CACHE_S`, so a
load balancer or an uptime monitor polling `/health` costs the store at most one read per process in
that time; concurrent checks wait for the one in progress. Why it failed is logged (the error's type
and AWS code), never put in the public answer.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from tollway.config import settings

log = logging.getLogger("tollway.health")

CACHE_S = 5.0
PROBE_KEY = "tollway-health-check"  # no API key id has this shape (16 hex digits)


@dataclass(frozen=True)
class StoreHealth:
    ok: bool
    latency_ms: float
    checked_at: float  # time.monotonic()


_last: StoreHealth | None = None
_lock = threading.Lock()


def _client() -> Any:
    from tollway.aws_clients import dedicated_client

    # Keyed by the endpoint, so a process repointed at another emulator (tests) gets a fresh one.
    return dedicated_client("dynamodb", "health@" + os.environ.get("AWS_ENDPOINT_URL", ""), connect_timeout=1, read_timeout=2,
                            retries={"total_max_attempts": 1})


def _probe() -> StoreHealth:
    started = time.perf_counter()
    try:
        _client().get_item(
            TableName=settings().keys_table, Key={"id": {"S": PROBE_KEY}}, ProjectionExpression="id")
        ok = True
    except Exception as exc:  # noqa: BLE001 - any failure means the store does not answer
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", "") if hasattr(exc, "response") else ""
        log.warning("store health check failed: %s%s", type(exc).__name__, f" ({code})" if code else "")
        ok = False
    return StoreHealth(ok, round((time.perf_counter() - started) * 1000, 1), time.monotonic())


def store_health() -> StoreHealth:
    global _last
    last = _last
    if last is not None and time.monotonic() - last.checked_at < CACHE_S:
        return last
    with _lock:
        last = _last
        if last is not None and time.monotonic() - last.checked_at < CACHE_S:
            return last  # checked by the request we waited for
        _last = _probe()
        return _last


def forget() -> None:
    """The next check asks the store again (tests)."""
    global _last
    _last = None
