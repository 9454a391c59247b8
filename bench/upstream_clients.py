"""httpx vs aiohttp as the gateway's upstream client: prints a table (not a test).

    .venv/bin/python bench/upstream_clients.py                        # ~1 min: json + sse at C=1,32
    .venv/bin/python bench/upstream_clients.py --duration 5 --concurrency 1,8,32 --chunks 50

Starts bench/fake_upstream.py pinned to one CPU, then, pinned to another CPU in this process (on
uvloop when installed, as `tollway serve` runs), sends the same closed-loop load through each
client the way an adapter uses it: one pooled client, a JSON body POSTed to /v1/chat/completions,
and either the JSON answer read and parsed (json) or the SSE answer read line by line with every
`data:` event parsed (sse). Per client, mode and concurrency it prints req/s, p50 latency and the
client's CPU time per request (this process's user+system time over the requests it completed):
CPU per request is the number that decides how many requests one gateway core can relay.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from children import Child, free_port  # noqa: E402

BODY = {"model": "gpt-4o-mini", "max_completion_tokens": 256,
        "messages": [{"role": "user", "content": "Summarise why per-request overhead matters. " * 4}]}
STREAM_BODY = BODY | {"stream": True, "stream_options": {"include_usage": True}}

Call = Callable[[], Awaitable[int]]


async def _data_lines(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """What wire/sse.data_lines does: the `data:` payload of each event, up to [DONE]."""
    parts: list[str] = []
    async for line in lines:
        if line.startswith("data:"):
            parts.append(line[6:] if line.startswith("data: ") else line[5:])
        elif line == "" and parts:
            payload = "\n".join(parts)
            parts = []
            if payload.strip() == "[DONE]":
                return
            yield payload


class HttpxClient:
    name = "httpx"

    def __init__(self, base: str) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(60, connect=5),
                                        limits=httpx.Limits(max_connections=256, max_keepalive_connections=64))

    async def json(self) -> int:
        request = self.client.build_request("POST", "chat/completions", content=json.dumps(BODY).encode(),
                                            headers={"content-type": "application/json"})
        response = await self.client.send(request, stream=True)
        try:
            await response.aread()
        finally:
            await response.aclose()
        return len(response.json()["choices"])

    async def sse(self) -> int:
        request = self.client.build_request("POST", "chat/completions", content=json.dumps(STREAM_BODY).encode(),
                                            headers={"content-type": "application/json"})
        response = await self.client.send(request, stream=True)
        events = 0
        try:
            async for data in _data_lines(response.aiter_lines()):
                json.loads(data)
                events += 1
        finally:
            await response.aclose()
        return events

    async def close(self) -> None:
        await self.client.aclose()


class AiohttpClient:
    name = "aiohttp"

    def __init__(self, base: str) -> None:
        import aiohttp

        self.base = base.rstrip("/") + "/"
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=256, limit_per_host=0, ttl_dns_cache=300),
            timeout=aiohttp.ClientTimeout(sock_connect=5, sock_read=60), auto_decompress=True)

    async def json(self) -> int:
        async with self.session.post(self.base + "chat/completions", data=json.dumps(BODY).encode(),
                                     headers={"content-type": "application/json"}) as response:
            body = await response.read()
        return len(json.loads(body)["choices"])

    async def sse(self) -> int:
        events = 0
        async with self.session.post(self.base + "chat/completions", data=json.dumps(STREAM_BODY).encode(),
                                     headers={"content-type": "application/json"}) as response:
            async def lines() -> AsyncIterator[str]:
                async for raw in response.content:
                    yield raw.decode().rstrip("\r\n")

            async for data in _data_lines(lines()):
                json.loads(data)
                events += 1
        return events

    async def close(self) -> None:
        await self.session.close()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _level(call: Call, concurrency: int, warmup_s: float, duration_s: float) -> dict[str, float]:
    latencies: list[float] = []
    start = time.perf_counter() + warmup_s
    end = start + duration_s
    cpu0 = 0.0

    async def worker() -> None:
        while True:
            t0 = time.perf_counter()
            if t0 >= end:
                return
            await call()
            if t0 >= start:
                latencies.append(time.perf_counter() - t0)

    async def mark() -> None:
        nonlocal cpu0
        await asyncio.sleep(warmup_s)
        cpu0 = _cpu()

    marker = asyncio.ensure_future(mark())
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await marker
    cpu = _cpu() - cpu0
    wall = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    return {"rps": n / wall, "p50_ms": 1000 * latencies[n // 2] if n else 0.0,
            "cpu_ms_per_request": 1000 * cpu / n if n else 0.0, "requests": n}


async def _run(a: argparse.Namespace, base: str) -> list[dict[str, Any]]:
    rows = []
    for mode in a.mode_list:
        for c in a.levels:
            for make in (HttpxClient, AiohttpClient):
                client = make(base)
                try:
                    call = client.json if mode == "json" else client.sse
                    for _ in range(c):  # one request per connection before measuring
                        await call()
                    row = await _level(call, c, a.warmup, a.duration)
                finally:
                    await client.close()
                row |= {"client": client.name, "mode": mode, "concurrency": c}
                rows.append(row)
                print(f"  {mode:<4} c={c:<3} {client.name:<8} {row['rps']:8.1f} req/s  p50 {row['p50_ms']:6.2f} ms  "
                      f"CPU {row['cpu_ms_per_request']:.3f} ms/request", flush=True)
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description="httpx vs aiohttp relaying JSON and SSE")
    p.add_argument("--duration", type=float, default=4.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--concurrency", default="1,32")
    p.add_argument("--modes", default="json,sse")
    p.add_argument("--chunks", type=int, default=20, help="content chunks per streamed answer")
    p.add_argument("--upstream-cpu", type=int, default=0)
    p.add_argument("--client-cpu", type=int, default=1)
    p.add_argument("--json", type=Path, default=None, help="also write the rows to this file")
    a = p.parse_args()
    a.levels = [int(c) for c in a.concurrency.split(",")]
    a.mode_list = [m for m in a.modes.split(",") if m]
    logs = Path(os.environ.get("TMPDIR", "/tmp"))
    port = free_port()
    pin = ["taskset", "-c", str(a.upstream_cpu)] if os.cpu_count() and os.cpu_count() > 1 else []  # type: ignore[operator]
    with Child.start([*pin, sys.executable, str(HERE / "fake_upstream.py"), "--port", str(port),
                      "--chunks", str(a.chunks)], log=logs / "upstream_clients-upstream.log",
                     name="fake upstream") as upstream:
        upstream.wait_http(f"http://127.0.0.1:{port}/health", 30)
        if pin:
            os.sched_setaffinity(0, {a.client_cpu})
        try:
            import uvloop

            runner: Callable[..., Any] = uvloop.run
            loop_name = "uvloop"
        except ImportError:
            runner, loop_name = asyncio.run, "asyncio"
        print(f"fake upstream on CPU {a.upstream_cpu}, clients on CPU {a.client_cpu} ({loop_name}); "
              f"load average {os.getloadavg()[0]:.2f}")
        rows = runner(_run(a, f"http://127.0.0.1:{port}/v1/"))
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
