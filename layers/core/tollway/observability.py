"""Powertools Logger (JSON, with the request id) and Metrics (EMF), made on first use.

Locally (`tollway serve`) metrics are off unless POWERTOOLS_METRICS_DISABLED=false, so the
console shows one readable line per request instead of EMF blobs.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Any

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

    return Logger(service="tollway", stream=_CurrentStdout())


@lru_cache(maxsize=1)
def metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=NAMESPACE, service="tollway")


def flush_metrics_per_request() -> bool:
    """Behind the Lambda Web Adapter there is no handler to flush at the end of an invocation."""
    return bool(os.environ.get("AWS_LWA_INVOKE_MODE"))


def record_request(endpoint: str, status: int, latency_ms: float, credits: str | None = None,
                   upstream_error: bool = False) -> None:
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
