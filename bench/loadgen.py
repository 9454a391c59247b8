"""A closed-loop load generator for one OpenAI-compatible target: C workers, each sending its next
request as soon as the previous one finished, for a warm-up and then a measured window.

    target = Target("gateway", "http://127.0.0.1:8787/v1", keys=["sk-tw-..."], model="gpt-4o-mini")
    level = await run_level(target, mode="stream", concurrency=8, warmup_s=1, duration_s=5, chunks=20)
    level.latency.p50, level.ttft.p99, level.rps, level.errors

A request counts in the measured window when it starts inside it; workers start nothing after the
window closes, and the rate is measured requests over the time from the window's start to the
last measured request's end. Errors are counted in the warm-up too: a benchmark with errors is not
a number. Streams are checked to the end: the expected number of content chunks and `[DONE]`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

PROMPT = "Write twenty words about benchmarks."


@dataclass
class Target:
    name: str
    base_url: str  # ends in /v1
    keys: list[str]
    model: str

    def __post_init__(self) -> None:
        self._next_key = itertools.cycle(self.keys)

    def auth(self) -> dict[str, str]:
        # Round robin: every key sees the same share of each minute, so a pool of N keys with a
        # per-key limit R admits N × R requests per minute before any 429.
        return {"authorization": f"Bearer {next(self._next_key)}", "content-type": "application/json"}


@dataclass(frozen=True)
class Percentiles:
    n: int
    p50: float | None
    p90: float | None
    p99: float | None
    mean: float | None
    max: float | None

    @classmethod
    def of(cls, values_ms: list[float]) -> Percentiles:
        if not values_ms:
            return cls(0, None, None, None, None, None)
        ordered = sorted(values_ms)
        return cls(len(ordered), percentile(ordered, 50), percentile(ordered, 90), percentile(ordered, 99),
                   sum(ordered) / len(ordered), ordered[-1])


def percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default). `percentile([1, 2, 3], 50) == 2`"""
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class LevelResult:
    target: str
    mode: str
    concurrency: int
    duration_s: float
    requests: int = 0
    rps: float = 0.0
    latency: Percentiles = field(default_factory=lambda: Percentiles.of([]))
    ttft: Percentiles | None = None
    errors: Counter[str] = field(default_factory=Counter)
    loadgen_cpu_pct: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


class RequestFailed(Exception):
    """A non-2xx answer or a malformed body; the message is the error kind counted."""


def request_body(model: str, stream: bool) -> bytes:
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": PROMPT}]}
    if stream:
        body["stream"] = True
    return json.dumps(body, separators=(",", ":")).encode()


async def _chat(client: httpx.AsyncClient, target: Target, body: bytes) -> None:
    response = await client.post(target.base_url + "/chat/completions", content=body, headers=target.auth())
    if response.status_code != 200:
        raise RequestFailed(f"http_{response.status_code}")
    try:
        choices = response.json()["choices"]
    except (ValueError, KeyError, TypeError):
        raise RequestFailed("bad_json") from None
    if not choices:
        raise RequestFailed("no_choices")


async def _stream(client: httpx.AsyncClient, target: Target, body: bytes, chunks: int) -> float:
    """Read the whole stream; return the time of the first non-empty content chunk."""
    first: float | None = None
    content_chunks = 0
    done = False
    async with client.stream("POST", target.base_url + "/chat/completions", content=body,
                             headers=target.auth()) as response:
        if response.status_code != 200:
            await response.aread()
            raise RequestFailed(f"http_{response.status_code}")
        # Read to the end (not break at [DONE]) so the connection goes back to the pool.
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                done = True
                continue
            try:
                chunk = json.loads(data)
            except ValueError:
                raise RequestFailed("bad_sse_json") from None
            if "error" in chunk:
                raise RequestFailed("error_event")
            for choice in chunk.get("choices") or ():
                if (choice.get("delta") or {}).get("content"):
                    content_chunks += 1
                    if first is None:
                        first = time.perf_counter()
    if not done:
        raise RequestFailed("no_done")
    if content_chunks != chunks or first is None:
        raise RequestFailed(f"chunks_{content_chunks}_of_{chunks}")
    return first


async def run_level(target: Target, *, mode: str, concurrency: int, warmup_s: float, duration_s: float,
                    chunks: int, timeout_s: float = 30.0) -> LevelResult:
    stream = mode == "stream"
    body = request_body(target.model, stream)
    result = LevelResult(target.name, mode, concurrency, duration_s)
    latencies: list[float] = []
    ttfts: list[float] = []
    last_end = 0.0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=5.0), limits=limits) as client:
        # One request per connection before the clock starts: no worker pays for a TCP handshake.
        primed = await asyncio.gather(*(_one(client, target, body, stream, chunks) for _ in range(concurrency)),
                                      return_exceptions=True)
        for outcome in primed:
            if isinstance(outcome, RequestFailed):
                result.errors[str(outcome)] += 1
            elif isinstance(outcome, BaseException):
                result.errors[type(outcome).__name__] += 1
        start = time.perf_counter()
        window_start = start + warmup_s
        window_end = window_start + duration_s

        async def worker() -> None:
            nonlocal last_end
            while (began := time.perf_counter()) < window_end:
                try:
                    first = await _one(client, target, body, stream, chunks)
                except RequestFailed as exc:
                    result.errors[str(exc)] += 1
                    continue
                except httpx.HTTPError as exc:
                    result.errors[type(exc).__name__] += 1
                    continue
                ended = time.perf_counter()
                if began >= window_start:
                    latencies.append((ended - began) * 1000.0)
                    if first is not None:
                        ttfts.append((first - began) * 1000.0)
                    last_end = max(last_end, ended)

        cpu_before = time.process_time()
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))),
                               timeout=warmup_s + duration_s + timeout_s + 10.0)
        wall = time.perf_counter() - start
        result.loadgen_cpu_pct = round(100.0 * (time.process_time() - cpu_before) / wall, 1)
    result.requests = len(latencies)
    result.rps = len(latencies) / (last_end - window_start) if latencies and last_end > window_start else 0.0
    result.latency = Percentiles.of(latencies)
    result.ttft = Percentiles.of(ttfts) if stream else None
    return result


async def _one(client: httpx.AsyncClient, target: Target, body: bytes, stream: bool, chunks: int) -> float | None:
    if stream:
        return await _stream(client, target, body, chunks)
    await _chat(client, target, body)
    return None
