"""What one DynamoDB call costs the local emulator (`tollway serve`'s moto child): prints numbers.

    .venv/bin/python bench/emulator_calls.py                                  # this tree, ~30 s
    .venv/bin/python bench/emulator_calls.py --tree before=/tmp/before --tree after=. --calls 300

Starts the emulator child exactly as `tollway serve` does (`python -m tollway.local.emulator`, from
each tree's `layers/core`), pinned to `--cpus`, creates a keys table and a usage table shaped like
the template's, and sends each kind of call `--calls` times from this process (boto3, one thread):

- `update_if`: conditional UpdateItem on a key item with `ReturnValues=ALL_NEW`, as admission does;
- `transact`: TransactWriteItems of an Update on the key item and a conditional Put of a usage
  record (settlement's shape; the usage table grows as it would);
- `put`: PutItem of a usage record;  `get`: consistent GetItem of the key item;
- `batch25`: BatchWriteItem of 25 usage records.

Per kind it prints the emulator's CPU (user + system of the child, from /proc) per call and the
wall time per call seen by the client, in µs; with `--rounds` > 1 each round gets a fresh emulator
per tree, trees alternate, and the median round is shown. The client runs on another CPU when it
can (`--client-cpus`), so the wall time is the emulator's plus loopback HTTP and boto3.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from children import free_port  # noqa: E402

ROOT = HERE.parent
READY = "tollway-emulator-ready"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
KINDS = ("update_if", "transact", "put", "get", "batch25")
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="emulator CPU and wall time per DynamoDB call")
    p.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                   help="a source tree whose emulator to measure (repeatable; default: this one)")
    p.add_argument("--calls", type=int, default=200, help="calls of each kind per round (after 20 warm-up)")
    p.add_argument("--rounds", type=int, default=3, help="fresh emulators per tree; the median round is shown")
    two = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    p.add_argument("--cpus", default="1" if two else "", help="taskset CPU list for the emulator ('' = unpinned)")
    p.add_argument("--client-cpus", default="0" if two else "", help="CPUs for this process ('' = unpinned)")
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args()
    a.trees = {}
    for spec in a.tree or [f"this={ROOT}"]:
        name, _, path = spec.partition("=")
        folder = Path(path).resolve()
        if not name or not (folder / "layers" / "core" / "tollway").is_dir():
            p.error(f"--tree {spec!r}: want NAME=PATH of a folder with layers/core/tollway")
        a.trees[name] = folder
    if a.calls < 1 or a.rounds < 1:
        p.error("--calls and --rounds must be at least 1")
    return a


class Emulator:
    def __init__(self, tree: Path, cpus: str, data_dir: Path | None = None) -> None:
        self.port = free_port()
        env = os.environ | CREDENTIALS | {"PYTHONPATH": str(tree / "layers" / "core")}
        command = [sys.executable, "-m", "tollway.local.emulator", str(self.port), str(os.getpid()),
                   str(data_dir) if data_dir else "", ""]
        if cpus:
            command = ["taskset", "-c", cpus] + command
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        assert self.process.stdout is not None and self.process.stderr is not None
        line = self.process.stdout.readline()
        if line.strip() != READY:
            self.stop()
            raise RuntimeError(f"the emulator did not start: {self.process.stderr.read()[-2000:]}")
        self.lines = 0  # what it printed after READY: an access log would show here
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._drain, args=(stream,), daemon=True).start()

    def _drain(self, stream: Any) -> None:
        for _ in iter(stream.readline, ""):
            self.lines += 1

    def cpu_s(self) -> float:
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_mb(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _client(endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session(**{k.lower(): v for k, v in CREDENTIALS.items() if k != "AWS_DEFAULT_REGION"},
                                 region_name="us-east-1").client(
        "dynamodb", endpoint_url=endpoint, config=Config(retries={"max_attempts": 1}))


def _setup(ddb: Any) -> None:
    ddb.create_table(TableName="Keys", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    ddb.create_table(TableName="Usage", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "key_id", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "key_id", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}])
    ddb.put_item(TableName="Keys", Item={
        "id": {"S": "k1"}, "key_hash": {"S": "h" * 64}, "balance": {"N": str(10**15)}, "rpm": {"N": str(10**9)},
        "scopes": {"SS": ["ai:generate", "files"]}, "name": {"S": "bench"}, "created_at": {"N": "1700000000"},
        "pending": {"M": {f"hold{i}": {"M": {"amount": {"N": "1000"}, "at": {"N": "1700000000"}}}
                          for i in range(4)}}})


def _record(n: int) -> dict[str, Any]:
    return {"key_id": {"S": "k1"}, "sk": {"S": f"2026-12-01T00:00:00.{n:09d}#req{n}"},
            "model": {"S": "gpt-4o-mini"}, "provider": {"S": "openai"}, "credits_micro": {"N": "1234"},
            "reserved_micro": {"N": "5000"}, "prompt_tokens": {"N": "12"}, "completion_tokens": {"N": "34"},
            "request_id": {"S": f"req-{n:032d}"}, "status": {"S": "ok"}, "expires_at": {"N": "1800000000"}}


def _calls(ddb: Any) -> dict[str, Callable[[int], Any]]:
    names = {"#h": "key_hash", "#b": "balance", "#s": "scopes", "#r": "revoked_at", "#rpm": "rpm", "#cur": "m1",
             "#u": "last_used_at"}

    def update_if(n: int) -> Any:
        return ddb.update_item(
            TableName="Keys", Key={"id": {"S": "k1"}},
            UpdateExpression="SET #b = #b - :cost, #cur = if_not_exists(#cur, :zero) + :one, #u = :now",
            ConditionExpression=("#h = :h AND attribute_not_exists(#r) AND contains(#s, :scope)"
                                 " AND (attribute_not_exists(#cur) OR #cur < #rpm) AND #b >= :cost"),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={":h": {"S": "h" * 64}, ":scope": {"S": "ai:generate"}, ":cost": {"N": "5000"},
                                       ":zero": {"N": "0"}, ":one": {"N": "1"}, ":now": {"N": str(1700000000 + n)}},
            ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")

    def transact(n: int) -> Any:
        return ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": "Keys", "Key": {"id": {"S": "k1"}}, "UpdateExpression": "SET #b = #b + :r",
                        "ConditionExpression": "attribute_exists(id)", "ExpressionAttributeNames": {"#b": "balance"},
                        "ExpressionAttributeValues": {":r": {"N": "3766"}}}},
            {"Put": {"TableName": "Usage", "Item": _record(1_000_000 + n),
                     "ConditionExpression": "attribute_not_exists(sk)"}}])

    def put(n: int) -> Any:
        return ddb.put_item(TableName="Usage", Item=_record(2_000_000 + n))

    def get(n: int) -> Any:
        return ddb.get_item(TableName="Keys", Key={"id": {"S": "k1"}}, ConsistentRead=True)

    def batch25(n: int) -> Any:
        return ddb.batch_write_item(RequestItems={"Usage": [{"PutRequest": {"Item": _record(3_000_000 + n * 25 + i)}}
                                                            for i in range(25)]})

    return {"update_if": update_if, "transact": transact, "put": put, "get": get, "batch25": batch25}


def one_round(tree: Path, a: argparse.Namespace) -> dict[str, Any]:
    emulator = Emulator(tree, a.cpus)
    try:
        ddb = _client(f"http://127.0.0.1:{emulator.port}")
        _setup(ddb)
        result: dict[str, Any] = {}
        for kind, call in _calls(ddb).items():
            for n in range(20):
                call(-1 - n)  # warm: moto parses the service model and compiles what it caches
            cpu0, wall0 = emulator.cpu_s(), time.perf_counter()
            for n in range(a.calls):
                call(n)
            wall, cpu = time.perf_counter() - wall0, emulator.cpu_s() - cpu0
            result[kind] = {"emulator_cpu_us": cpu / a.calls * 1e6, "wall_us": wall / a.calls * 1e6}
        time.sleep(0.2)
        result["output_lines"] = emulator.lines
        result["rss_mb"] = emulator.rss_mb()
        return result
    finally:
        emulator.stop()


def main() -> int:
    a = _args()
    if a.client_cpus:
        os.sched_setaffinity(0, {int(c) for c in a.client_cpus.split(",")})
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in a.trees}
    print(f"emulator calls: {a.calls} per kind, {a.rounds} round(s), emulator cpus={a.cpus or 'unpinned'}, "
          f"client cpus={a.client_cpus or 'unpinned'}, load average {os.getloadavg()[0]:.2f}", flush=True)
    for _ in range(a.rounds):
        for name, tree in a.trees.items():
            rounds[name].append(one_round(tree, a))
    header = f"{'tree':<10}{'call':<11}{'emulator CPU µs':>17}{'wall µs':>10}"
    print(header)
    for name, found in rounds.items():
        for kind in KINDS:
            cpu = statistics.median(r[kind]["emulator_cpu_us"] for r in found)
            wall = statistics.median(r[kind]["wall_us"] for r in found)
            print(f"{name:<10}{kind:<11}{cpu:>17.0f}{wall:>10.0f}")
        lines = max(r["output_lines"] for r in found)
        rss = statistics.median(r["rss_mb"] for r in found)
        print(f"{name:<10}lines the emulator printed while serving: {lines}; RSS after the calls {rss:.0f} MB")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"calls": a.calls, "cpus": a.cpus, "rounds": rounds}, indent=1))
        print(f"wrote {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
