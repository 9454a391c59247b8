"""A soak: minutes of mixed traffic against `tollway serve`; prints a table, exits 1 when it fails.

    .venv/bin/python bench/soak.py                                  # 10 minutes at concurrency 64
    .venv/bin/python bench/soak.py --duration 120 --warmup 30       # a short one
    make soak SOAK_DURATION=120

Starts `bench/fake_upstream.py` (OpenAI chat, streams, embeddings) and `tollway serve` pointed at it,
with a data dir (the journal and snapshots at work, as `make serve` runs; `--no-persist` for none) and
the per-IP limit off (one load generator is one address). Makes `--keys` keys with a big balance (so
requests go through prepaid leases) and a high rpm, then runs `--concurrency` closed-loop workers,
each picking its next request at random:

- chat (40%): `POST /v1/chat/completions`, JSON;  stream (25%): the same streamed, read to `[DONE]`;
- embeddings (15%): `POST /v1/embeddings`;
- files (10%): upload 1–16 KiB, read its content back (must be the same bytes), delete it;
- documents (10%): parse a small Markdown file (base64 JSON), or chunk a text, in turns;
- and, beside the workers, one operation every `--operation-every` seconds: an async document parse,
  polled until it has succeeded (its time to done is its latency).

Every `--sample-every` seconds it samples the RSS and open file descriptors of the gateway and of
its emulator child. It fails (exit 1) when:

- any request failed (a non-2xx, a transport error, a wrong body), warm-up included;
- the gateway's RSS, or either process's open descriptors, grew more than `--tolerance` (10%) from
  the first third of the samples after warm-up to the last third (medians; descriptors get 8 of
  slack: open connections come and go with the load);
- a kind's p99 over the last third of the measured time is above `--p99-drift` (1.5) times its p99
  over the first third, plus 25 ms (the window-to-window noise of a shared machine).

The emulator's RSS is printed but not judged: it is the database, and it keeps every usage record the
run writes (a deployed DynamoDB grows on disk instead). Exit 2: the setup failed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from children import Child, free_port  # noqa: E402

ROOT = HERE.parent
KINDS = ("chat", "stream", "embeddings", "files", "documents")
WEIGHTS = (40, 25, 15, 10, 10)
MARKDOWN = ("# Soak notes\n\n" + "The gateway keeps serving while the soak runs. " * 40 + "\n\n## Second part\n\n"
            + "Nothing should leak: not memory, not descriptors. " * 40 + "\n").encode()
DRIFT_SLACK_MS = 25.0
FD_SLACK = 8  # in-flight connections come and go; a leak over minutes of load is hundreds


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="a soak of tollway serve: mixed traffic, leaks and p99 drift")
    p.add_argument("--duration", type=float, default=600.0, help="seconds of load, warm-up included")
    p.add_argument("--warmup", type=float, default=None, help="seconds not judged (default: a fifth, at most 120)")
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--keys", type=int, default=8)
    p.add_argument("--operation-every", type=float, default=60.0)
    p.add_argument("--sample-every", type=float, default=5.0)
    p.add_argument("--tolerance", type=float, default=0.10, help="allowed growth of RSS and descriptors")
    p.add_argument("--p99-drift", type=float, default=1.5, help="allowed ratio of the last third's p99 to the first's")
    p.add_argument("--no-persist", action="store_true", help="run tollway serve without a data dir")
    p.add_argument("--model", default="gpt-4o-mini")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    p.add_argument("--logs", type=Path, default=None, help="keep the children's logs here (default: a temp folder)")
    a = p.parse_args()
    if a.warmup is None:
        a.warmup = min(120.0, a.duration / 5)
    if a.duration <= 0 or not 0 <= a.warmup < a.duration or a.concurrency < 1 or a.keys < 1:
        p.error("--duration positive, --warmup in [0, duration), --concurrency and --keys at least 1")
    return a


@dataclass
class Sample:
    kind: str
    started: float  # seconds since the load began
    latency_ms: float


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in (*KINDS, "operation")})
    resources: list[tuple[float, dict[str, tuple[float, int]]]] = field(default_factory=list)

    def fail(self, kind: str, what: str, at: float) -> None:
        self.errors[kind].append(f"at {at:.1f} s: {what}")


class Load:
    def __init__(self, a: argparse.Namespace, url: str, keys: list[str]) -> None:
        self.a, self.url, self.keys = a, url, keys
        self.run = Run()
        self.t0 = 0.0
        self.deadline = 0.0
        self.documents_turn = 0

    def _key(self) -> dict[str, str]:
        return {"authorization": f"Bearer {random.choice(self.keys)}"}

    async def _chat(self, http: httpx.AsyncClient) -> str | None:
        r = await http.post("/v1/chat/completions", headers=self._key(), json={
            "model": self.a.model, "max_tokens": 32, "messages": [{"role": "user", "content": "soak me"}]})
        if r.status_code != 200:
            return f"HTTP {r.status_code} {r.text[:200]}"
        return None if r.json().get("choices") else "no choices"

    async def _stream(self, http: httpx.AsyncClient) -> str | None:
        body = {"model": self.a.model, "stream": True, "stream_options": {"include_usage": True},
                "messages": [{"role": "user", "content": "stream me"}]}
        async with http.stream("POST", "/v1/chat/completions", headers=self._key(), json=body) as r:
            if r.status_code != 200:
                return f"HTTP {r.status_code} {(await r.aread())[:200]!r}"
            done = False
            async for line in r.aiter_lines():
                if line.startswith("data: [DONE]"):
                    done = True
                elif line.startswith("data:") and '"error"' in line:
                    return f"error event {line[:200]}"
            return None if done else "stream ended without [DONE]"

    async def _embeddings(self, http: httpx.AsyncClient) -> str | None:
        r = await http.post("/v1/embeddings", headers=self._key(),
                            json={"model": "text-embedding-3-small", "input": "soak the embeddings"})
        if r.status_code != 200:
            return f"HTTP {r.status_code} {r.text[:200]}"
        return None if r.json().get("data") else "no data"

    async def _files(self, http: httpx.AsyncClient) -> str | None:
        key = self._key()
        data = os.urandom(random.randint(1024, 16 * 1024))
        r = await http.post("/v1/files", headers=key, data={"purpose": "user_data"},
                            files={"file": ("soak.bin", data, "application/octet-stream")})
        if r.status_code != 200:
            return f"upload HTTP {r.status_code} {r.text[:200]}"
        file_id = r.json()["id"]
        content = await http.get(f"/v1/files/{file_id}/content", headers=key)
        if content.status_code != 200 or content.content != data:
            return f"content HTTP {content.status_code}, {len(content.content)} of {len(data)} bytes"
        deleted = await http.delete(f"/v1/files/{file_id}", headers=key)
        return None if deleted.status_code == 200 else f"delete HTTP {deleted.status_code} {deleted.text[:200]}"

    async def _documents(self, http: httpx.AsyncClient) -> str | None:
        self.documents_turn += 1
        if self.documents_turn % 2:
            r = await http.post("/v1/documents/parse", headers=self._key(), json={
                "data": base64.b64encode(MARKDOWN).decode(), "filename": "soak.md"})
            expect = "blocks"
        else:
            r = await http.post("/v1/documents/chunk", headers=self._key(), json={
                "text": MARKDOWN.decode(), "max_chars": 500})
            expect = "data"
        if r.status_code != 200:
            return f"HTTP {r.status_code} {r.text[:200]}"
        return None if r.json().get(expect) else f"no {expect}"

    async def _one(self, http: httpx.AsyncClient, kind: str) -> None:
        started = time.perf_counter()
        try:
            problem = await getattr(self, f"_{kind}")(http)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            where = f" on {exc.request.method} {exc.request.url.path}" if isinstance(exc, httpx.RequestError) else ""
            root: BaseException = exc
            while root.__cause__ is not None or root.__context__ is not None:
                root = root.__cause__ or root.__context__  # type: ignore[assignment]
            problem = f"{type(exc).__name__}{where}: {str(exc)[:200]} ({type(root).__name__}: {root})"
        if problem:
            self.run.fail(kind, problem, started - self.t0)
        else:
            self.run.samples.append(Sample(kind, started - self.t0, (time.perf_counter() - started) * 1000))

    async def _worker(self, http: httpx.AsyncClient) -> None:
        while time.perf_counter() < self.deadline:
            await self._one(http, random.choices(KINDS, WEIGHTS)[0])

    async def _operations(self, http: httpx.AsyncClient) -> None:
        next_at = self.t0 + 5.0
        while True:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            if time.perf_counter() >= self.deadline:
                return
            next_at += self.a.operation_every
            started = time.perf_counter()
            problem = await self._operation(http)
            if problem:
                self.run.fail("operation", problem, started - self.t0)
            else:
                self.run.samples.append(Sample("operation", started - self.t0, (time.perf_counter() - started) * 1000))

    async def _operation(self, http: httpx.AsyncClient) -> str | None:
        key = self._key()
        try:
            r = await http.post("/v1/documents/parse", headers=key, json={
                "data": base64.b64encode(MARKDOWN).decode(), "filename": "soak.md", "async": True})
            if r.status_code != 202:
                return f"start HTTP {r.status_code} {r.text[:200]}"
            op_id = r.json()["id"]
            give_up = time.perf_counter() + 120
            while time.perf_counter() < give_up:
                await asyncio.sleep(0.5)
                status = await http.get(f"/v1/operations/{op_id}", headers=key)
                if status.status_code != 200:
                    return f"poll HTTP {status.status_code} {status.text[:200]}"
                state = status.json()["status"]
                if state == "succeeded":
                    return None
                if state not in ("queued", "running"):
                    return f"operation ended {state}: {json.dumps(status.json().get('error'))[:200]}"
            return "operation not done within 120 s"
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            return f"{type(exc).__name__}: {str(exc)[:200]}"

    async def go(self) -> Run:
        limits = httpx.Limits(max_connections=self.a.concurrency + 8, max_keepalive_connections=self.a.concurrency + 8)
        async with httpx.AsyncClient(base_url=self.url, timeout=60.0, limits=limits) as http:
            self.t0 = time.perf_counter()
            self.deadline = self.t0 + self.a.duration
            await asyncio.gather(self._operations(http), *(self._worker(http) for _ in range(self.a.concurrency)))
        return self.run


def _status(pid: int) -> tuple[float, int]:
    """RSS in MB and open descriptors of one process."""
    with open(f"/proc/{pid}/status") as f:
        rss = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def sample_resources(gateway: Child, run: Run, t0: list[float], stop: threading.Event, every_s: float) -> None:
    while not stop.wait(every_s):
        pids = {"gateway": gateway.pid}
        children = _children(gateway.pid)
        if children:
            pids["emulator"] = children[0]
        try:
            run.resources.append((time.perf_counter() - t0[0], {name: _status(pid) for name, pid in pids.items()}))
        except (OSError, StopIteration):
            pass


def _p(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def judge(a: argparse.Namespace, run: Run) -> tuple[list[str], list[str]]:
    """The table's lines and what failed."""
    lines, failed = [], []
    measured = a.duration - a.warmup
    third = measured / 3
    header = (f"{'kind':<12}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
              f"{'p99 first ⅓':>13}{'p99 last ⅓':>12}{'drift':>8}")
    lines += [header, "-" * len(header)]
    for kind in (*KINDS, "operation"):
        after = [s for s in run.samples if s.kind == kind and s.started >= a.warmup]
        latencies = [s.latency_ms for s in after]
        first = _p([s.latency_ms for s in after if s.started < a.warmup + third], 0.99)
        last = _p([s.latency_ms for s in after if s.started >= a.duration - third], 0.99)
        errors = len(run.errors[kind])
        drift = last / first if first and last else None
        lines.append(f"{kind:<12}{len(latencies):>9}{errors:>8}{len(latencies) / measured:>8.1f}"
                     f"{_fmt(_p(latencies, 0.5)):>9}{_fmt(_p(latencies, 0.99)):>9}{_fmt(first):>13}{_fmt(last):>12}"
                     f"{(f'{drift:.2f}x' if drift else '-'):>8}")
        if errors:
            failed.append(f"{kind}: {errors} error(s), e.g. {run.errors[kind][0]}")
        if kind != "operation" and first and last and last > first * a.p99_drift + DRIFT_SLACK_MS:
            failed.append(f"{kind}: p99 drifted from {first:.1f} ms to {last:.1f} ms")
    lines.append("")
    after = [(t, r) for t, r in run.resources if t >= a.warmup]
    if len(after) < 6:
        failed.append(f"only {len(after)} resource samples after warm-up: run longer")
        return lines, failed
    header = f"{'process':<10}{'RSS MB start':>13}{'end':>8}{'growth':>8}{'fds start':>11}{'end':>6}{'growth':>8}"
    lines += [header, "-" * len(header)]
    for name in ("gateway", "emulator"):
        points = [r[name] for _, r in after if name in r]
        if len(points) < 6:
            continue
        third = max(2, len(points) // 3)
        rss0, rss1 = (statistics.median(p[0] for p in part) for part in (points[:third], points[-third:]))
        fd0, fd1 = (statistics.median(p[1] for p in part) for part in (points[:third], points[-third:]))
        judged = "" if name == "gateway" else "  (RSS not judged: it holds the data)"
        lines.append(f"{name:<10}{rss0:>13.1f}{rss1:>8.1f}{(rss1 / rss0 - 1) * 100:>+7.1f}%{fd0:>11.0f}{fd1:>6.0f}"
                     f"{(fd1 / fd0 - 1) * 100:>+7.1f}%{judged}")
        if name == "gateway" and rss1 > rss0 * (1 + a.tolerance):
            failed.append(f"gateway RSS grew {rss0:.1f} → {rss1:.1f} MB (more than {a.tolerance:.0%})")
        if fd1 > fd0 * (1 + a.tolerance) + FD_SLACK:
            failed.append(f"{name} open descriptors grew {fd0:.0f} → {fd1:.0f}")
    return lines, failed


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def main() -> int:
    a = _args()
    logs = a.logs or Path(tempfile.mkdtemp(prefix="tollway-soak-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    data_dir = None if a.no_persist else Path(tempfile.mkdtemp(prefix="tollway-soak-data-"))
    started: list[Child] = []
    admin_key = "tw-admin-" + secrets.token_urlsafe(24)
    print(f"soak: {a.duration:.0f} s ({a.warmup:.0f} s warm-up) at concurrency {a.concurrency}, {a.keys} keys, "
          f"{'no data dir' if data_dir is None else 'data dir ' + str(data_dir)}, load average "
          f"{os.getloadavg()[0]:.2f}, logs in {logs}", flush=True)
    try:
        try:
            port = free_port()
            upstream = Child.start([sys.executable, str(HERE / "fake_upstream.py"), "--port", str(port), "--chunks", "20"],
                                   log=logs / "upstream.log", name="fake upstream")
            started.append(upstream)
            upstream.wait_http(f"http://127.0.0.1:{port}/health", 15)
            gw_port = free_port()
            entry = Path(sys.executable).with_name("tollway")
            command = [str(entry)] if entry.exists() else [sys.executable, "-m", "tollway.cli"]
            command += ["serve", "--host", "127.0.0.1", "--port", str(gw_port)]
            command += ["--no-persist"] if data_dir is None else ["--data-dir", str(data_dir)]
            env = os.environ | {"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1", "OPENAI_API_KEY": "sk-fake-upstream",
                                "TOLLWAY_ADMIN_KEY": admin_key, "TOLLWAY_IP_RATE_LIMIT": "0"}
            gateway = Child.start(command, log=logs / "gateway.log", env=env, cwd=ROOT, name="tollway serve")
            started.append(gateway)
            url = f"http://127.0.0.1:{gw_port}"
            gateway.wait_http(url + "/health", 30)
            keys = []
            with httpx.Client(base_url=url, timeout=10, headers={"authorization": f"Bearer {admin_key}"}) as admin:
                for n in range(a.keys):
                    r = admin.post("/admin/keys", json={"name": f"soak-{n}", "credits": 1_000_000, "rpm": 1_000_000})
                    r.raise_for_status()
                    keys.append(r.json()["key"])
        except (RuntimeError, httpx.HTTPError, OSError) as exc:
            print(f"soak: setup failed: {exc}", file=sys.stderr)
            return 2
        load = Load(a, url, keys)
        t0 = [time.perf_counter()]
        stop = threading.Event()
        sampler = threading.Thread(target=sample_resources, args=(gateway, load.run, t0, stop, a.sample_every),
                                   daemon=True)
        sampler.start()
        run = asyncio.run(load.go())
        stop.set()
        sampler.join()
        if not gateway.alive():
            print(f"soak: the gateway died:\n{gateway.log_tail()}", file=sys.stderr)
            return 1
    finally:
        for child in reversed(started):
            child.stop()
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)
    lines, failed = judge(a, run)
    print("\n".join(lines))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(a).items()}, "failed": failed,
                                      "errors": run.errors, "resources": run.resources,
                                      "samples": [vars(s) for s in run.samples]}))
    if failed:
        print("\nsoak FAILED:\n  " + "\n  ".join(failed))
        return 1
    print("\nsoak passed: no errors, memory and descriptors flat, p99 stable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
