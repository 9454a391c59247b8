"""Added latency of the gateway over calling the upstream directly: prints a table (not a test).

    .venv/bin/python bench/overhead.py                      # ~1.5 min: chat + stream at C=1,8,32
    .venv/bin/python bench/overhead.py --duration 10 --concurrency 1,8 --chunks 50 --json out.json

Starts a fake OpenAI upstream (bench/fake_upstream.py) and `tollway serve --no-persist` pointed at
it (OPENAI_BASE_URL), creates a pool of API keys through the admin API, then for each mode and
concurrency runs the same closed-loop load against the upstream directly and through the gateway,
one after the other. Exits 1 if any request failed (a benchmark with errors is not a number), 2 if
the setup failed. Every process it started is stopped on exit, Ctrl-C and SIGTERM included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # `python bench/overhead.py` from anywhere

from children import Child, free_port  # noqa: E402
from loadgen import LevelResult, Target, run_level  # noqa: E402

ROOT = HERE.parent
KEY_CREDITS = 1_000_000  # far more than any run can spend
KEY_RPM = 1_000_000  # the highest per-key limit the admin API allows: no level meets it


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="gateway overhead over a direct upstream call")
    p.add_argument("--duration", type=float, default=5.0, help="measured seconds per level and target")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each level")
    p.add_argument("--concurrency", default="1,8,32", help="comma-separated closed-loop concurrencies")
    p.add_argument("--modes", default="chat,stream", help="chat (non-stream) and/or stream")
    p.add_argument("--chunks", type=int, default=20, help="content chunks per streamed reply")
    p.add_argument("--chunk-delay-ms", type=float, default=0.0, help="fake upstream pause between chunks")
    p.add_argument("--keys", type=int, default=4,
                   help=f"API key pool size; each key admits {KEY_RPM} requests per minute")
    p.add_argument("--model", default="gpt-4o-mini", help="any gpt-* name routes to the fake upstream")
    p.add_argument("--json", type=Path, default=None, help="also write every number to this file")
    p.add_argument("--reuse-gateway", action="store_true",
                   help="one gateway for every level (default: a fresh one per level, see README)")
    p.add_argument("--ready-timeout", type=float, default=60.0, help="seconds to wait for each server")
    a = p.parse_args()
    a.levels = [int(c) for c in a.concurrency.split(",") if c.strip()]
    a.mode_list = [m.strip() for m in a.modes.split(",") if m.strip()]
    if a.keys < 1 or a.duration <= 0 or a.warmup < 0 or a.chunks < 1:
        p.error("--keys and --chunks must be at least 1, --duration positive, --warmup not negative")
    if not a.levels or min(a.levels) < 1 or not set(a.mode_list) <= {"chat", "stream"} or not a.mode_list:
        p.error("--concurrency wants positive integers, --modes a subset of chat,stream")
    return a


def start_upstream(logs: Path, chunks: int, chunk_delay_ms: float, timeout_s: float,
                   started: list[Child]) -> tuple[Child, str]:
    """The child goes into `started` before it is awaited, so a failed start is still stopped."""
    port = free_port()
    child = Child.start([sys.executable, str(HERE / "fake_upstream.py"), "--port", str(port),
                         "--chunks", str(chunks), "--chunk-delay-ms", str(chunk_delay_ms)],
                        log=logs / "upstream.log", name="fake upstream")
    started.append(child)
    url = f"http://127.0.0.1:{port}"
    child.wait_http(url + "/health", timeout_s)
    return child, url + "/v1"


def start_gateway(logs: Path, upstream_url: str, admin_key: str, timeout_s: float,
                  started: list[Child]) -> tuple[Child, str]:
    port = free_port()
    entry = Path(sys.executable).with_name("tollway")
    command = [str(entry)] if entry.exists() else [sys.executable, "-m", "tollway.cli"]
    # The per-IP limit (5,000 per 10 minutes) is a safety net for the world, not for a load generator.
    env = os.environ | {"OPENAI_BASE_URL": upstream_url, "OPENAI_API_KEY": "sk-fake-upstream",
                        "TOLLWAY_ADMIN_KEY": admin_key, "TOLLWAY_IP_RATE_LIMIT": "0"}
    child = Child.start(command + ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-persist"],
                        log=logs / "gateway.log", env=env, cwd=ROOT, name="tollway serve")
    started.append(child)
    url = f"http://127.0.0.1:{port}"
    child.wait_http(url + "/health", timeout_s)
    return child, url


def create_keys(gateway_url: str, admin_key: str, count: int) -> list[str]:
    keys = []
    with httpx.Client(base_url=gateway_url, timeout=10.0,
                      headers={"authorization": f"Bearer {admin_key}"}) as client:
        for i in range(count):
            response = client.post("/admin/keys", json={"name": f"bench-{i}", "credits": KEY_CREDITS,
                                                        "rpm": KEY_RPM})
            if response.status_code != 201 and response.status_code != 200:
                raise RuntimeError(f"creating a key failed: HTTP {response.status_code} {response.text[:200]}")
            keys.append(response.json()["key"])
    return keys


class Gateway:
    """`tollway serve` with a fresh key pool; one per level unless --reuse-gateway."""

    def __init__(self, a: argparse.Namespace, logs: Path, upstream_url: str, started: list[Child]) -> None:
        self.admin_key = "tw-admin-" + secrets.token_urlsafe(24)
        self.child, self.url = start_gateway(logs, upstream_url, self.admin_key, a.ready_timeout, started)
        self.target = Target("gateway", self.url + "/v1", create_keys(self.url, self.admin_key, a.keys), a.model)
        self.requests = 0  # served before the current level: the emulator slows as its tables grow

    def stop(self, started: list[Child]) -> None:
        self.child.stop()
        started.remove(self.child)


async def _run_level(a: argparse.Namespace, target: Target, mode: str, c: int) -> LevelResult:
    return await run_level(target, mode=mode, concurrency=c, warmup_s=a.warmup, duration_s=a.duration,
                           chunks=a.chunks)


def measure(a: argparse.Namespace, logs: Path, upstream_url: str, started: list[Child]) -> list[dict[str, Any]]:
    direct = Target("direct", upstream_url, ["sk-fake-upstream"], a.model)
    gateway: Gateway | None = None
    rows = []
    try:
        for mode in a.mode_list:
            for c in a.levels:
                if gateway is None:
                    gateway = Gateway(a, logs, upstream_url, started)
                # Direct then gateway at the same level, so drift over the run hits both alike.
                d = asyncio.run(_run_level(a, direct, mode, c))
                child = gateway.child
                all0, own0, t0 = child.cpu_seconds(), child.cpu_seconds(descendants=False), time.perf_counter()
                g = asyncio.run(_run_level(a, gateway.target, mode, c))
                wall = time.perf_counter() - t0
                gw_cpu = 100.0 * (child.cpu_seconds(descendants=False) - own0) / wall
                emu_cpu = 100.0 * (child.cpu_seconds() - all0) / wall - gw_cpu
                if not gateway.child.alive():
                    raise RuntimeError(f"the gateway died during the run:\n{gateway.child.log_tail()}")
                rows.append({"mode": mode, "concurrency": c, "direct": d, "gateway": g,
                             "gateway_cpu_pct": round(gw_cpu, 1), "emulator_cpu_pct": round(emu_cpu, 1),
                             "gateway_rss_mb": round(child.rss_mb(), 1), "gateway_prior_requests": gateway.requests})
                print(f"  {mode:<6} c={c:<3} direct {d.rps:7.1f} req/s  gateway {g.rps:7.1f} req/s  "
                      f"errors {d.error_count}/{g.error_count}", file=sys.stderr, flush=True)
                gateway.requests += g.requests  # measured ones; warm-up and priming come on top
                if not a.reuse_gateway:
                    gateway.stop(started)
                    gateway = None
    finally:
        if gateway is not None:
            gateway.stop(started)
    return rows


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def _diff(g: float | None, d: float | None) -> str:
    return "-" if g is None or d is None else f"{g - d:+.2f}"


def table(rows: list[dict[str, Any]]) -> str:
    header = (f"{'level':<18}{'direct p50':>11}{'p99':>9}{'gateway p50':>13}{'p99':>9}{'added p50':>11}{'p99':>9}"
              f"{'direct req/s':>14}{'gateway req/s':>15}{'errors d/g':>12}{'gw CPU%':>9}{'emu CPU%':>10}"
              f"{'RSS MB':>8}")
    lines = [header, "-" * len(header)]
    for row in rows:
        d: LevelResult = row["direct"]
        g: LevelResult = row["gateway"]
        parts = [("total", d.latency, g.latency)]
        if row["mode"] == "stream" and d.ttft and g.ttft:
            parts = [("TTFT", d.ttft, g.ttft), ("total", d.latency, g.latency)]
        for what, dp, gp in parts:
            label = f"chat c={row['concurrency']}" if row["mode"] == "chat" else f"stream c={row['concurrency']} {what}"
            lines.append(f"{label:<18}{_ms(dp.p50):>11}{_ms(dp.p99):>9}{_ms(gp.p50):>13}{_ms(gp.p99):>9}"
                         f"{_diff(gp.p50, dp.p50):>11}{_diff(gp.p99, dp.p99):>9}{d.rps:>14.1f}{g.rps:>15.1f}"
                         f"{f'{d.error_count}/{g.error_count}':>12}{row['gateway_cpu_pct']:>9.0f}"
                         f"{row['emulator_cpu_pct']:>10.0f}{row['gateway_rss_mb']:>8.0f}")
    return "\n".join(lines)


def _meta(a: argparse.Namespace) -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        commit = ""
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "commit": commit, "python": platform.python_version(),
            "cpus": os.cpu_count(), "duration_s": a.duration, "warmup_s": a.warmup, "chunks": a.chunks,
            "chunk_delay_ms": a.chunk_delay_ms, "keys": a.keys, "model": a.model}


def _level_json(r: LevelResult) -> dict[str, Any]:
    return asdict(r) | {"errors": dict(r.errors), "error_count": r.error_count}


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the children


def main() -> int:
    a = _args()
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    started: list[Child] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="tollway-bench-") as tmp:
        logs = Path(tmp)
        try:
            _, upstream_url = start_upstream(logs, a.chunks, a.chunk_delay_ms, a.ready_timeout, started)
            print(f"fake upstream {upstream_url}; {a.keys} keys per gateway; {a.duration:g}s per level "
                  f"(+{a.warmup:g}s warm-up)", file=sys.stderr, flush=True)
            rows = measure(a, logs, upstream_url, started)
        except (RuntimeError, httpx.HTTPError) as exc:
            print(f"setup failed: {exc}", file=sys.stderr)
            return 2
        finally:
            for child in reversed(started):  # gateway first: it stops its emulator on SIGTERM
                child.stop()

    meta = _meta(a) | {"loadavg_before": load_before, "loadavg_after": os.getloadavg()}
    print(f"\nGateway overhead (ms; added = gateway - direct per percentile), model {a.model}, "
          f"{a.chunks} chunks/stream, {a.duration:g}s per level, {meta['cpus']} CPUs shared by everything, "
          f"{'one gateway for all levels' if a.reuse_gateway else 'a fresh gateway per level'}")
    print(table(rows))
    print(f"load average before/after: {load_before[0]:.2f} / {meta['loadavg_after'][0]:.2f} "
          "(anything else running on this machine is in these numbers)")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"meta": meta, "levels": [
            {k: v for k, v in r.items() if k not in ("direct", "gateway")} | {
             "direct": _level_json(r["direct"]), "gateway": _level_json(r["gateway"])} for r in rows]}, indent=1))
        print(f"wrote {a.json}")
    errors = {f"{r['mode']} c={r['concurrency']} {t}": dict(r[t].errors)
              for r in rows for t in ("direct", "gateway") if r[t].error_count}
    if errors:
        hint = " (429: raise --keys)" if any("http_429" in e for e in errors.values()) else ""
        print(f"\nFAILED: requests failed, these numbers are not valid{hint}: {errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the children are already stopped by then
        print("interrupted", file=sys.stderr)
        sys.exit(130)
