"""What each piece of a request's edge costs, old way against new: prints µs per call (not a test).

    .venv/bin/python bench/edge_costs.py              # ~20 s
    .venv/bin/python bench/edge_costs.py --number 20000

In one process, on uvloop when installed (as `tollway serve` runs), each pair is timed the same
way, alternately, best of --repeat:

- request JSON: json.loads with json_text's per-number hooks (before) vs json_text.parse_json_object;
- response JSON: starlette's JSONResponse vs FastJSONResponse, for a chat completion;
- disconnect watch: a task group with a watcher child (before) vs race_disconnect;
- request log line: Powertools' Logger as configured before (stdlib json) vs tollway's logger();
- request metrics while disabled (tollway serve): Powertools add_metric ×2 vs record_request;
- a 20-frame stream relayed with anyio.fail_after around every frame (ledger/stream.py does this)
  vs one deadline for the whole stream: what the per-frame deadline costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "core"))
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # as tollway serve runs

BODY = json.dumps({"model": "gpt-4o-mini", "max_tokens": 256, "temperature": 0.7,
                   "messages": [{"role": "system", "content": "You are a helpful assistant."},
                                {"role": "user", "content": "Summarise why per-request overhead matters. " * 8}]}).encode()
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1796138412, "model": "gpt-4o-mini",
              "choices": [{"index": 0, "finish_reason": "stop",
                           "message": {"role": "assistant", "content": "the quick brown fox " * 20}}],
              "usage": {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200, "cost": 0.16}}


class _Null:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _time_sync(call: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        call()
    return (time.perf_counter() - start) / number * 1e6


async def _time_async(call: Callable[[], Awaitable[Any]], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        await call()
    return (time.perf_counter() - start) / number * 1e6


def _pairs(number: int) -> list[tuple[str, Callable[[], Any], Callable[[], Any], int]]:
    from starlette.responses import JSONResponse

    from tollway.http.responses import FastJSONResponse
    from tollway.wire import json_text

    def stdlib_body() -> Any:
        return json.loads(BODY, parse_constant=json_text._no_constants, parse_int=json_text._int,
                          parse_float=json_text._float)

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.metrics import MetricUnit

    from tollway import observability

    before_logger = Logger(service="tollway-before", stream=_Null())
    after_logger = observability.logger()
    after_logger.handlers[0].stream = _Null() if after_logger.handlers else None  # type: ignore[union-attr]
    extra = {"request_id": "req_0123456789abcdef01234567", "method": "POST", "path": "/v1/chat/completions",
             "status": 200, "latency_ms": 1.2, "model": "gpt-4o-mini", "credits": "0.0216"}
    metrics = observability.metrics()

    def metrics_before() -> None:
        metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="LatencyMs", unit=MetricUnit.Milliseconds, value=1.234)

    return [
        ("request JSON (parse a chat body)", stdlib_body, lambda: json_text.parse_json_object(BODY), number),
        ("response JSON (render a completion)", lambda: JSONResponse(COMPLETION),
         lambda: FastJSONResponse(COMPLETION), number),
        ("request log line", lambda: before_logger.info("request", extra=extra),
         lambda: after_logger.info("request", extra=extra), number),
        ("request metrics, metrics disabled", metrics_before,
         lambda: observability.record_request("/v1/chat/completions", 200, 1.234, "0.0216"), number),
    ]


async def _async_pairs(number: int) -> list[tuple[str, Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]], int]]:
    import anyio

    from tollway.http.disconnect import race_disconnect

    never = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await never.wait()
        return {"type": "http.disconnect"}

    async def work() -> int:
        await asyncio.sleep(0)
        return 1

    async def task_group_watch() -> int:  # http/disconnect.py before
        results: list[int] = []
        async with anyio.create_task_group() as group:
            async def watch() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()

            group.start_soon(watch)
            try:
                results.append(await work())
            finally:
                group.cancel_scope.cancel()
        return results[0]

    async def frames() -> AsyncIterator[bytes]:
        for _ in range(20):
            await asyncio.sleep(0)
            yield b"data: {}\n\n"

    async def deadline_per_frame() -> None:
        source = frames()
        while True:
            try:
                with anyio.fail_after(100):
                    await source.__anext__()
            except StopAsyncIteration:
                return

    async def one_deadline() -> None:
        with anyio.fail_after(100):
            async for _ in frames():
                pass

    return [
        ("disconnect watch per request", task_group_watch, lambda: race_disconnect(receive, work), number),
        ("20-frame stream: fail_after per frame vs once", deadline_per_frame, one_deadline, max(number // 10, 100)),
    ]


async def _run_async(repeat: int, number: int) -> list[tuple[str, float, float]]:
    rows = []
    for name, before, after, n in await _async_pairs(number):
        b = min([await _time_async(before, n) for _ in range(repeat)])
        a = min([await _time_async(after, n) for _ in range(repeat)])
        rows.append((name, b, a))
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description="µs per call of each edge piece, before and after")
    p.add_argument("--number", type=int, default=5000, help="calls per timing")
    p.add_argument("--repeat", type=int, default=5, help="timings per side (the best is kept)")
    a = p.parse_args()
    rows = []
    shown, sys.stdout = sys.stdout, _Null()  # type: ignore[assignment]  # Powertools prints its metric blobs
    for name, before, after, n in _pairs(a.number):
        before(), after()  # warm
        b = min(_time_sync(before, n) for _ in range(a.repeat))
        af = min(_time_sync(after, n) for _ in range(a.repeat))
        rows.append((name, b, af))
    try:
        import uvloop

        rows += uvloop.run(_run_async(a.repeat, a.number))
        loop = "uvloop"
    except ImportError:
        rows += asyncio.run(_run_async(a.repeat, a.number))
        loop = "asyncio"
    sys.stdout = shown
    print(f"µs per call, best of {a.repeat} ({loop}; load average {os.getloadavg()[0]:.2f})")
    print(f"{'':48} {'before':>9} {'after':>9}")
    for name, b, af in rows:
        print(f"{name:48} {b:9.1f} {af:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
