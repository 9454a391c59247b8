"""Powertools Logger (JSON, with the request id) and Metrics (EMF), made on first use.

Locally (`tollway serve`) metrics are off unless POWERTOOLS_METRICS_DISABLED=false, so the
console shows one readable line per request instead of EMF blobs.

Both sit on every request's path, so they are kept cheap: the logger writes its JSON with orjson
(the same line, a fraction of the time), and no metric is recorded while metrics are disabled —
Powertools would still collect them, format its whole list of values for a debug message on each
one, and print a blob every hundred values, disabled or not.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Any

import orjson

NAMESPACE = "Tollway"


class _CurrentStdout:
    """sys.stdout looked up at each write, not captured once: whoever replaces stdout (a test
    harness, a local runner) still gets the lines, and a closed old stream never fails a log call."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@lru_cache(maxsize=1)
def logger() -> Any:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.shared.functions import powertools_dev_is_set

    if powertools_dev_is_set():  # indented lines for sam local: Powertools' own serializer indents
        return Logger(service="tollway", stream=_CurrentStdout())
    return Logger(service="tollway", stream=_CurrentStdout(), json_serializer=_json_line,
                  json_deserializer=orjson.loads)


def _json_line(record: dict[str, Any]) -> str:
    """What Powertools writes (compact, UTF-8 text, anything else as str()), written by orjson."""
    return orjson.dumps(record, default=str).decode()


@lru_cache(maxsize=1)
def metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=NAMESPACE, service="tollway")


def flush_metrics_per_request() -> bool:
    """Behind the Lambda Web Adapter there is no handler to flush at the end of an invocation."""
    return bool(os.environ.get("AWS_LWA_INVOKE_MODE"))


def metrics_disabled() -> bool:
    """Read each time (a few µs), as Powertools reads it when it flushes: tests and local runs switch it."""
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    return is_metrics_disabled()


def record_request(endpoint: str, status: int, latency_ms: float, credits: str | None = None,
                   upstream_error: bool = False) -> None:
    if metrics_disabled():
        return
    from aws_lambda_powertools.metrics import MetricUnit

    m = metrics()
    m.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    m.add_metric(name="LatencyMs", unit=MetricUnit.Milliseconds, value=latency_ms)
    if credits and credits != "0":
        m.add_metric(name="CreditsUsed", unit=MetricUnit.Count, value=float(credits))
    if upstream_error:
        m.add_metric(name="UpstreamErrors", unit=MetricUnit.Count, value=1)
    if status >= 500:
        m.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
