"""The Lambda entry point for buffered (Mangum) functions, with Powertools around it.

Built on the first invocation, not at import: Mangum and Powertools stay out of the import time
that `bench/cold_import.py` measures and out of every local process that never runs on Lambda.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def lambda_handler(app: FastAPI) -> Handler:
    built: list[Handler] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if not built:
            built.append(_build(app))
        return built[0](event, context)

    return handler


def _build(app: FastAPI) -> Handler:
    from mangum import Mangum

    from tollway.observability import logger, metrics

    mangum = Mangum(app, lifespan="off")

    @metrics().log_metrics
    @logger().inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return mangum(event, context)

    return handler
