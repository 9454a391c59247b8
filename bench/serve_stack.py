"""uvicorn's event loop and HTTP parser under `tollway serve`: asyncio + h11 vs uvloop + httptools.

    .venv/bin/python bench/serve_stack.py                      # 3 rounds, 8 s per load, ~2.5 min
    .venv/bin/python bench/serve_stack.py --rounds 5 --connections 32 --duration 10

Starts `tollway serve --no-persist --loop L --http H` for each stack in turn (rounds alternate),
pinned to `--cpus` with its emulator, makes 64 API keys through the admin API, and loads it with
`wrk` (a C load generator, pinned to `--wrk-cpus`) closed-loop at `--connections`:

- `GET /health`: the server stack and the app's middleware, no store call;
- `POST /v1/chat/completions` with model `local/echo`, keys in rotation: the whole chat path,
  store calls to the emulator included (on the same CPU).

Prints req/s and latency p50 / p99 per stack and load (median round), and the gateway's idle RSS.
Needs `wrk` (apt-get install wrk). Every process it starts is stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from children import Child, free_port  # noqa: E402

ROOT = HERE.parent
STACKS = {"asyncio+h11": ("asyncio", "h11"), "uvloop+httptools": ("uvloop", "httptools")}
KEYS = 64
CHAT_LUA = """
local keys = {%s}
local i = 0
wrk.method = "POST"
wrk.body = '{"model":"local/echo","messages":[{"role":"user","content":"hi"}]}'
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i %% #keys + 1
  wrk.headers["Authorization"] = "Bearer " .. keys[i]
  return wrk.format()
end
"""


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="tollway serve under asyncio+h11 vs uvloop+httptools")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=int, default=8, help="seconds of load per stack and route")
    p.add_argument("--connections", type=int, default=16)
    two = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    p.add_argument("--cpus", default="1" if two else "", help="CPUs for the gateway and its emulator")
    p.add_argument("--wrk-cpus", default="0" if two else "", help="CPUs for wrk")
    p.add_argument("--json", type=Path, default=None)
    return p.parse_args()


def _wrk(a: argparse.Namespace, url: str, script: Path | None) -> dict[str, float]:
    command = ["wrk", "-t1", f"-c{a.connections}", f"-d{a.duration}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    if a.wrk_cpus:
        command = ["taskset", "-c", a.wrk_cpus] + command
    out = subprocess.run(command, capture_output=True, text=True, timeout=a.duration + 30).stdout

    def ms(label: str) -> float:
        found = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return float("nan")
        return float(found.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[found.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "non_2xx": float(errors.group(1)) if errors else 0.0}


def one_round(stack: str, a: argparse.Namespace, logs: Path) -> dict[str, Any]:
    loop, http = STACKS[stack]
    port, admin_key = free_port(), "tw-admin-" + secrets.token_urlsafe(24)
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL", "_API_TOKEN"))}
    # wrk sends thousands of requests a second from one address: the per-IP limit is off.
    env |= {"PYTHONPATH": str(ROOT / "layers" / "core"), "TOLLWAY_ADMIN_KEY": admin_key, "TOLLWAY_IP_RATE_LIMIT": "0"}
    command = [sys.executable, "-m", "tollway.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--no-persist", "--loop", loop, "--http", http]
    if a.cpus:
        command = ["taskset", "-c", a.cpus] + command
    child = Child.start(command, log=logs / f"serve-{port}.log", env=env, cwd=ROOT, name="tollway serve")
    try:
        child.wait_http(url + "/health", 60)
        with httpx.Client(base_url=url, timeout=10, headers={"authorization": f"Bearer {admin_key}"}) as admin:
            keys = [admin.post("/admin/keys", json={"name": f"stack-{i}", "credits": 100000, "rpm": 400}).json()["key"]
                    for i in range(KEYS)]
        time.sleep(1)
        with open(f"/proc/{child.pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
        script = logs / "chat.lua"
        script.write_text(CHAT_LUA % ", ".join(json.dumps(k) for k in keys))
        health = _wrk(a, url + "/health", None)
        chat = _wrk(a, url + "/v1/chat/completions", script)
        return {"health": health, "chat": chat, "gateway_rss_mb": rss}
    finally:
        child.stop()


def main() -> int:
    a = _args()
    if shutil.which("wrk") is None:
        print("serve_stack.py needs wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    results: dict[str, list[dict[str, Any]]] = {s: [] for s in STACKS}
    print(f"tollway serve stacks: {a.rounds} round(s), wrk -c{a.connections} {a.duration}s, gateway cpus="
          f"{a.cpus or 'unpinned'}, wrk cpus={a.wrk_cpus or 'unpinned'}, load average {os.getloadavg()[0]:.2f}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="tollway-stack-") as tmp:
        for _ in range(a.rounds):
            for stack in STACKS:
                results[stack].append(one_round(stack, a, Path(tmp)))
                r = results[stack][-1]
                print(f"  {stack}: health {r['health']['rps']:.0f} req/s, chat {r['chat']['rps']:.0f} req/s", flush=True)
    print(f"{'stack':<18}{'route':<8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    for stack, runs in results.items():
        for route in ("health", "chat"):
            med = {k: statistics.median(r[route][k] for r in runs) for k in ("rps", "p50_ms", "p99_ms", "non_2xx")}
            print(f"{stack:<18}{route:<8}{med['rps']:>9.0f}{med['p50_ms']:>9.2f}{med['p99_ms']:>9.2f}"
                  f"{med['non_2xx']:>9.0f}")
        print(f"{stack:<18}idle RSS of the gateway {statistics.median(r['gateway_rss_mb'] for r in runs):.1f} MB")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"connections": a.connections, "duration": a.duration, "results": results},
                                     indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
