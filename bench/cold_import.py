"""Cold import of the chat function versus a bare FastAPI + Mangum + boto3 app: prints numbers.

    .venv/bin/python bench/cold_import.py               # 20 fresh interpreters each, ~30 s
    .venv/bin/python bench/cold_import.py --repeats 40 --json out.json

Each measurement is a fresh `python` that puts the function's folder and the layer on sys.path (as
Lambda does with LAMBDA_TASK_ROOT and /opt/python), sets the environment template.yaml gives the
function, and times `import app` alone (interpreter start-up is the same for both and excluded).
The two apps alternate so drift on a shared machine hits both alike. Bytecode is compiled once
into a private cache (PYTHONPYCACHEPREFIX) before measuring, for both, so compile time is not
counted. Target: chat / baseline ≤ 1.2 (median). Then `-X importtime` shows where the chat
module's time goes: the top cumulative imports, and the packages it imports that the baseline
does not. Exits 1 when the ratio is above the target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAT_DIR = ROOT / "functions" / "chat"
LAYER_DIR = ROOT / "layers" / "core"
TARGET_RATIO = 1.2
MARK = "--- cold_import: measured import starts ---"

BASELINE_APP = '''\
import boto3
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


handler = Mangum(app, lifespan="off")
'''

# Run in the child: put the folders first on sys.path, then time the import and nothing else.
CHILD = '''\
import sys, time
sys.path[:0] = {paths!r}
sys.stderr.write({mark!r} + "\\n")
sys.stderr.flush()
t = time.perf_counter()
import {module}
print(time.perf_counter() - t)
'''


@dataclass(frozen=True)
class App:
    name: str
    module: str
    paths: list[str]

    def code(self) -> str:
        return CHILD.format(paths=self.paths, mark=MARK, module=self.module)


def function_environment(function: str = "ChatFunction") -> dict[str, str]:
    """What template.yaml sets on `function` (Globals + its own), with !Ref resolved to names."""
    sys.path.insert(0, str(LAYER_DIR))
    from tollway.local.template import Template

    template = Template(ROOT / "template.yaml")
    parameters = template.doc.get("Parameters") or {}
    props = template.resources[function]["Properties"]
    variables = template.global_environment() | ((props.get("Environment") or {}).get("Variables") or {})
    env = {}
    for name, value in variables.items():
        if isinstance(value, dict) and "Ref" in value:
            ref = value["Ref"]
            value = (parameters.get(ref) or {}).get("Default", ref)
        elif isinstance(value, dict):
            continue  # !Sub / !GetAtt: nothing an import reads
        env[name] = str(value)
    # What the Lambda runtime itself sets, so code that looks at it sees Lambda.
    env |= {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_LAMBDA_FUNCTION_NAME": function, "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(props.get("MemorySize", 512)),
            "LAMBDA_TASK_ROOT": str(CHAT_DIR)}
    env.pop("AWS_LAMBDA_EXEC_WRAPPER", None)  # the Web Adapter's bootstrap is not ours to time
    return env


def child_env(function_env: dict[str, str], pycache: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ} | function_env
    env["PYTHONPYCACHEPREFIX"] = str(pycache)  # compiled once, read after; nothing written to the tree
    return env  # and no PYTHONDONTWRITEBYTECODE: the warm-up run must be able to fill that cache


def run_child(app: App, env: dict[str, str], importtime: bool = False, timeout_s: float = 60.0) -> tuple[float, str]:
    argv = [sys.executable] + (["-X", "importtime"] if importtime else []) + ["-c", app.code()]
    done = subprocess.run(argv, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, timeout=timeout_s)
    if done.returncode != 0:
        raise RuntimeError(f"importing {app.name} failed:\n{done.stderr[-3000:]}")
    return float(done.stdout.strip().splitlines()[-1]), done.stderr


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class ImportLine:
    module: str
    depth: int
    self_us: int
    cumulative_us: int


def parse_importtime(stderr: str) -> list[ImportLine]:
    """The `-X importtime` lines printed after MARK (interpreter start-up is left out)."""
    lines = stderr.split(MARK, 1)[-1].splitlines()
    parsed = []
    for line in lines:
        if not line.startswith("import time:") or "imported package" in line:
            continue
        head = line.split("|")  # "import time: <self> | <cumulative> | <indent><module>"
        self_us = int(head[0].split(":")[1])
        cumulative_us = int(head[1])
        depth = (len(head[2]) - len(head[2].lstrip()) - 1) // 2
        parsed.append(ImportLine(head[2].strip(), depth, self_us, cumulative_us))
    return parsed


def median_by_module(runs: list[list[ImportLine]]) -> dict[str, ImportLine]:
    """Per module, the run whose cumulative time is the median (importtime alone is noisy)."""
    seen: dict[str, list[ImportLine]] = defaultdict(list)
    for run in runs:
        for line in run:
            seen[line.module].append(line)
    return {m: sorted(ls, key=lambda x: x.cumulative_us)[len(ls) // 2] for m, ls in seen.items()}


def tollway_imports(lines: list[ImportLine]) -> list[tuple[str, str, int]]:
    """(tollway module, other module it imported first, cumulative µs): who pulls in what.

    importtime prints children before their parent, one indent level deeper; a child's parent is
    the next line at a smaller depth.
    """
    found = []
    for i, line in enumerate(lines):
        if line.module.split(".")[0] == "tollway":
            continue
        parent = next((p for p in lines[i + 1:] if p.depth < line.depth), None)
        if parent is not None and parent.module.split(".")[0] == "tollway" and parent.depth == line.depth - 1:
            found.append((parent.module, line.module, line.cumulative_us))
    return sorted(found, key=lambda x: -x[2])


def extra_packages(chat: dict[str, ImportLine], baseline: dict[str, ImportLine]) -> list[tuple[str, int, int]]:
    """Top-level packages (self time summed, module count) the chat app imports beyond the baseline."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for module, line in chat.items():
        if module not in baseline:
            top = module.split(".")[0]
            totals[top][0] += line.self_us
            totals[top][1] += 1
    return sorted(((k, v[0], v[1]) for k, v in totals.items()), key=lambda x: -x[1])


def _ms(us: float) -> str:
    return f"{us / 1000:8.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description="cold import: chat function vs bare FastAPI+Mangum+boto3")
    parser.add_argument("--repeats", type=int, default=20, help="fresh interpreters per app (≥ 15 advised)")
    parser.add_argument("--importtime-runs", type=int, default=3, help="-X importtime runs per app")
    parser.add_argument("--json", type=Path, default=None)
    a = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tollway-cold-") as tmp:
        baseline_dir = Path(tmp) / "baseline"
        baseline_dir.mkdir()
        (baseline_dir / "baseline_app.py").write_text(BASELINE_APP)
        chat = App("chat", "app", [str(CHAT_DIR), str(LAYER_DIR)])
        baseline = App("baseline", "baseline_app", [str(baseline_dir)])
        env = child_env(function_environment(), Path(tmp) / "pycache")

        for app in (chat, baseline):  # compile into the private bytecode cache; not measured
            run_child(app, env)
        times: dict[str, list[float]] = {"chat": [], "baseline": []}
        for _ in range(a.repeats):
            for app in (baseline, chat):
                times[app.name].append(run_child(app, env)[0] * 1e6)
        traces = {app.name: median_by_module([parse_importtime(run_child(app, env, importtime=True)[1])
                                              for _ in range(a.importtime_runs)])
                  for app in (chat, baseline)}
        chat_trace = parse_importtime(run_child(chat, env, importtime=True)[1])

    stats = {name: {"median_us": statistics.median(v), "p90_us": quantile(v, 0.9), "min_us": min(v), "runs": len(v)}
             for name, v in times.items()}
    ratio = stats["chat"]["median_us"] / stats["baseline"]["median_us"]
    ratio_p90 = stats["chat"]["p90_us"] / stats["baseline"]["p90_us"]

    print(f"Cold import, {a.repeats} fresh interpreters each (import only, bytecode cached), "
          f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}")
    print(f"{'':<34}{'median':>11}{'p90':>12}{'min':>12}")
    print(f"{'baseline (FastAPI+Mangum+boto3)':<34}{_ms(stats['baseline']['median_us']):>11}"
          f"{_ms(stats['baseline']['p90_us']):>12}{_ms(stats['baseline']['min_us']):>12}")
    print(f"{'chat (functions/chat/app.py)':<34}{_ms(stats['chat']['median_us']):>11}"
          f"{_ms(stats['chat']['p90_us']):>12}{_ms(stats['chat']['min_us']):>12}")
    verdict = "OK" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"ratio chat / baseline: {ratio:.2f}x median, {ratio_p90:.2f}x p90  (target <= {TARGET_RATIO}x: {verdict})")

    print("\nTop 10 cumulative imports of the chat module (-X importtime, median of "
          f"{a.importtime_runs} runs; nested, so parents include their children):")
    for line in sorted(traces["chat"].values(), key=lambda x: -x.cumulative_us)[:10]:
        print(f"  {_ms(line.cumulative_us)}  (self {_ms(line.self_us).strip()})  {'  ' * line.depth}{line.module}")

    extras = extra_packages(traces["chat"], traces["baseline"])
    print("\nPackages the chat module imports that the baseline does not (self time summed):")
    for top, self_us, count in extras[:10]:
        print(f"  {_ms(self_us)}  {top} ({count} modules)")

    pulled = tollway_imports(chat_trace)
    print("\nHeaviest non-tollway imports made directly by layers/core/tollway modules (one -X importtime "
          "run; modules already loaded cost nothing and are not listed)" + (": candidates to import lazily" if ratio > TARGET_RATIO else ""))
    for owner, module, cumulative_us in pulled[:10]:
        print(f"  {_ms(cumulative_us)}  {module:<36} imported by {owner}")
    if not pulled:
        print("  (none: every module they need is already loaded by FastAPI)")
    avoided = extra_packages(traces["baseline"], traces["chat"])
    print("\nPackages the baseline imports that the chat module does not (kept lazy there):")
    for top, self_us, count in avoided[:5]:
        print(f"  {_ms(self_us)}  {top} ({count} modules)")

    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({
            "stats": stats, "ratio_median": ratio, "ratio_p90": ratio_p90, "target": TARGET_RATIO,
            "runs_us": times,
            "top_cumulative": [{"module": x.module, "cumulative_us": x.cumulative_us, "self_us": x.self_us}
                               for x in sorted(traces["chat"].values(), key=lambda x: -x.cumulative_us)[:30]],
            "extra_packages": [{"package": p, "self_us": s, "modules": n} for p, s, n in extras],
            "avoided_packages": [{"package": p, "self_us": s, "modules": n} for p, s, n in avoided],
            "tollway_direct_imports": [{"owner": o, "module": m, "cumulative_us": c} for o, m, c in pulled],
        }, indent=1))
        print(f"\nwrote {a.json}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
