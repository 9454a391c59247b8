"""Start-up time and idle memory of `tollway serve`: prints numbers (not a test).

    .venv/bin/python bench/startup.py                          # 5 starts of this tree, ~1 min
    git archive HEAD~3 | tar -x -C /tmp/before                 # an older tree to compare with
    .venv/bin/python bench/startup.py --tree before=/tmp/before --tree after=. --runs 7

Each run starts `tollway serve --no-persist` from a tree (its `layers/core` first on PYTHONPATH,
its template.yaml from its folder), pinned to `--cpus` (one core by default, as the peer harness
pins a gateway), and measures from just before the process starts:

- **health**: until `GET /health` answers 200;
- **first chat**: until an API key made through the admin API (`POST /admin/keys`) has had
  `POST /v1/chat/completions` with model `local/echo` answered 200 — health, key and chat in a row,
  each polled every 20 ms, as a user or the peer harness would do;
- **CPU to chat**: the CPU time (user + system) the gateway and its emulator had used by then; on
  a busy machine the wall times grow with the load, this does not;
- then, after `--idle-s` seconds with no requests, the **RSS** of the gateway process and of its
  emulator child, separately and summed.

With several `--tree`s the runs alternate (a, b, a, b, ...) so drift on a shared machine hits every
tree alike. Prints min / median / max per tree and measure. Every process it starts is stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # `python bench/startup.py` from anywhere

from children import Child, _descendants, free_port  # noqa: E402

ROOT = HERE.parent
POLL_S = 0.02
MEASURES = ("health_s", "first_chat_s", "cpu_to_chat_s", "gateway_rss_mb", "emulator_rss_mb", "total_rss_mb")


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="tollway serve: time to first answered chat, idle RSS")
    p.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                   help="a source tree to start `tollway serve` from (repeatable; default: this one)")
    p.add_argument("--runs", type=int, default=5, help="starts per tree")
    default_cpus = "1" if (os.cpu_count() or 1) >= 2 and shutil.which("taskset") else ""
    p.add_argument("--cpus", default=default_cpus, help="taskset CPU list for the gateway and its emulator "
                   f"('' = unpinned; default {default_cpus or 'unpinned'})")
    p.add_argument("--idle-s", type=float, default=3.0, help="idle seconds after the first chat before RSS")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the first chat")
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args()
    trees = a.tree or [f"this={ROOT}"]
    a.trees = {}
    for spec in trees:
        name, _, path = spec.partition("=")
        folder = Path(path).resolve()
        if not name or not (folder / "template.yaml").is_file() or not (folder / "layers" / "core").is_dir():
            p.error(f"--tree {spec!r}: want NAME=PATH of a folder with template.yaml and layers/core")
        a.trees[name] = folder
    if a.runs < 1:
        p.error("--runs must be at least 1")
    return a


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0) / 1024
    except OSError:
        return 0.0


def _poll(deadline: float, child: Child, attempt: Any) -> Any:
    """Call `attempt()` every POLL_S until it returns something other than None."""
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"tollway serve exited:\n{child.log_tail()}")
        try:
            found = attempt()
            if found is not None:
                return found
        except httpx.HTTPError:
            pass
        time.sleep(POLL_S)
    raise RuntimeError(f"tollway serve did not answer in time:\n{child.log_tail()}")


def one_run(tree: Path, a: argparse.Namespace, logs: Path) -> dict[str, float]:
    port, admin_key = free_port(), "tw-admin-" + secrets.token_urlsafe(24)
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL", "_API_TOKEN"))}
    env |= {"PYTHONPATH": str(tree / "layers" / "core"), "TOLLWAY_ADMIN_KEY": admin_key}
    env.pop("AWS_ENDPOINT_URL", None)
    command = [sys.executable, "-m", "tollway.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--no-persist"]
    if a.cpus:
        command = ["taskset", "-c", a.cpus] + command  # taskset execs: the pid stays the gateway's
    client = httpx.Client(base_url=url, timeout=5.0)
    started = time.monotonic()
    child = Child.start(command, log=logs / f"serve-{port}.log", env=env, cwd=tree, name="tollway serve")
    try:
        deadline = started + a.timeout
        _poll(deadline, child, lambda: client.get("/health").status_code == 200 or None)
        health = time.monotonic() - started

        def make_key() -> str | None:
            r = client.post("/admin/keys", headers={"authorization": f"Bearer {admin_key}"},
                            json={"name": "startup-bench", "credits": 10, "rpm": 400})
            return r.json()["key"] if r.status_code in (200, 201) else None

        key = _poll(deadline, child, make_key)

        def chat() -> bool | None:
            r = client.post("/v1/chat/completions", headers={"authorization": f"Bearer {key}"},
                            json={"model": "local/echo", "messages": [{"role": "user", "content": "hi"}]})
            return True if r.status_code == 200 else None

        _poll(deadline, child, chat)
        first_chat = time.monotonic() - started
        cpu = child.cpu_seconds()  # gateway + emulator: what start-up costs whatever else runs on the machine
        time.sleep(a.idle_s)
        gateway = _rss_mb(child.pid)
        emulator = sum(_rss_mb(pid) for pid in _descendants(child.pid)[1:])
        return {"health_s": health, "first_chat_s": first_chat, "cpu_to_chat_s": cpu, "gateway_rss_mb": gateway,
                "emulator_rss_mb": emulator, "total_rss_mb": gateway + emulator}
    finally:
        client.close()
        child.stop()


def table(results: dict[str, list[dict[str, float]]]) -> str:
    lines = [f"{'tree':<10}{'measure':<18}{'min':>9}{'median':>9}{'max':>9}"]
    for name, runs in results.items():
        for measure in MEASURES:
            values = [r[measure] for r in runs]
            unit = "s" if measure.endswith("_s") else "MB"
            digits = 2 if unit == "s" else 1
            label = measure.removesuffix("_s").removesuffix("_mb") + f" ({unit})"
            lines.append(f"{name:<10}{label:<18}{min(values):>9.{digits}f}{statistics.median(values):>9.{digits}f}"
                         f"{max(values):>9.{digits}f}")
    return "\n".join(lines)


def main() -> int:
    a = _args()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in a.trees}
    print(f"tollway serve start-up, {a.runs} run(s) per tree, cpus={a.cpus or 'unpinned'}, idle {a.idle_s:.0f}s, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="tollway-startup-") as tmp:
        for i in range(a.runs):
            for name, tree in a.trees.items():
                try:
                    run = one_run(tree, a, Path(tmp))
                except RuntimeError as exc:
                    print(f"{name} run {i + 1}: {exc}", file=sys.stderr)
                    return 2
                results[name].append(run)
                print(f"  {name} run {i + 1}: health {run['health_s']:.2f}s, first chat {run['first_chat_s']:.2f}s "
                      f"({run['cpu_to_chat_s']:.2f}s CPU), "
                      f"RSS gateway {run['gateway_rss_mb']:.0f} MB + emulator {run['emulator_rss_mb']:.0f} MB",
                      flush=True)
    print(table(results))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"cpus": a.cpus, "idle_s": a.idle_s, "trees": {k: str(v) for k, v in a.trees.items()},
                                      "runs": results}, indent=1))
        print(f"wrote {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
