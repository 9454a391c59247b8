"""What the emulator's write-ahead journal costs per write: prints numbers.

    .venv/bin/python bench/emulator_journal.py                       # ~1 min
    .venv/bin/python bench/emulator_journal.py --calls 400 --rounds 3 --concurrency 1,8 --data-dir /tmp/j

Starts the emulator child as `tollway serve` does, without a data dir (no journal: what `--no-persist`
runs) and with one (every DynamoDB and S3 write journaled and fdatasync'd before its answer leaves),
alternating, pinned to `--cpus`. For each it sends writes from `--concurrency` client threads:

- `put`: PutItem of a usage-record-sized item;
- `update_if`: conditional UpdateItem with ALL_NEW on one key item (admission's shape);
- `s3_put`: PutObject of 16 KiB.

It prints, per kind and concurrency, the wall time per call seen by the clients (µs), the calls per
second, the emulator's CPU per call (µs, from /proc) and, with the journal, the journal bytes per
call; then the difference journal − none. Snapshots are held off during the rounds
(`TOLLWAY_SNAPSHOT_SECONDS=3600`): they cost what they cost before the journal existed. `--data-dir` puts the journal on a given file system (the
default is a temp folder beside the system's temp files; the fdatasync cost is the disk's).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from emulator_calls import CREDENTIALS, Emulator  # noqa: E402

ROOT = HERE.parent
KINDS = ("put", "update_if", "s3_put")


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="the emulator journal's cost per write")
    p.add_argument("--calls", type=int, default=300, help="calls of each kind per round and concurrency")
    p.add_argument("--rounds", type=int, default=2, help="fresh emulators per mode; the median round is shown")
    p.add_argument("--concurrency", default="1,8", help="client threads, comma-separated")
    two = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    p.add_argument("--cpus", default="1" if two else "", help="taskset CPU list for the emulator ('' = unpinned)")
    p.add_argument("--client-cpus", default="0" if two else "", help="CPUs for this process ('' = unpinned)")
    p.add_argument("--data-dir", type=Path, default=None, help="where the journal goes (default: a temp folder)")
    a = p.parse_args()
    a.levels = [int(c) for c in a.concurrency.split(",") if c.strip()]
    if a.calls < 1 or a.rounds < 1 or not a.levels or min(a.levels) < 1:
        p.error("--calls, --rounds and every --concurrency must be at least 1")
    return a


def _clients(endpoint: str, count: int) -> list[tuple[Any, Any]]:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(**{k.lower(): v for k, v in CREDENTIALS.items() if k != "AWS_DEFAULT_REGION"},
                                    region_name="us-east-1")
    config = Config(retries={"max_attempts": 1}, max_pool_connections=max(10, count))
    ddb = session.client("dynamodb", endpoint_url=endpoint, config=config)
    s3 = session.client("s3", endpoint_url=endpoint, config=config)
    return [(ddb, s3)] * count


def _setup(ddb: Any, s3: Any) -> None:
    ddb.create_table(TableName="Keys", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    ddb.create_table(TableName="Usage", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    ddb.put_item(TableName="Keys", Item={"id": {"S": "k1"}, "balance": {"N": str(10**15)}, "n": {"N": "0"}})
    s3.create_bucket(Bucket="files")


def _calls(ddb: Any, s3: Any) -> dict[str, Callable[[int], Any]]:
    blob = os.urandom(16 * 1024)

    def put(n: int) -> Any:
        return ddb.put_item(TableName="Usage", Item={
            "pk": {"S": "k1#3"}, "sk": {"S": f"2026-12-01T00:00:00.{n:012d}"}, "model": {"S": "gpt-4o-mini"},
            "credits_micro": {"N": "1234"}, "prompt_tokens": {"N": "12"}, "completion_tokens": {"N": "34"},
            "request_id": {"S": f"req_{n:024d}"}, "status": {"S": "ok"}})

    def update_if(n: int) -> Any:
        return ddb.update_item(TableName="Keys", Key={"id": {"S": "k1"}},
                               UpdateExpression="SET balance = balance - :c, n = n + :one",
                               ConditionExpression="balance >= :c",
                               ExpressionAttributeValues={":c": {"N": "5000"}, ":one": {"N": "1"}},
                               ReturnValues="ALL_NEW")

    def s3_put(n: int) -> Any:
        return s3.put_object(Bucket="files", Key=f"keys/k1/files/file-{n}", Body=blob)

    return {"put": put, "update_if": update_if, "s3_put": s3_put}


def _run(call: Callable[[int], Any], calls: int, threads: int, offset: int) -> float:
    """Wall seconds for `calls` calls spread over `threads` threads."""
    counter = iter(range(offset, offset + calls))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            call(n)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started


def _journal_bytes(folder: Path | None) -> int:
    return sum(p.stat().st_size for p in folder.glob("emulator.journal.*")) if folder else 0


def one_round(journal: bool, a: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="tollway-journal-", dir=a.data_dir)) if journal else None
    emulator = Emulator(ROOT, a.cpus, data_dir=folder)
    try:
        clients = _clients(f"http://127.0.0.1:{emulator.port}", max(a.levels))
        _setup(*clients[0])
        result: dict[str, Any] = {}
        offset = 0
        for kind in KINDS:
            call = _calls(*clients[0])[kind]
            for n in range(20):
                call(10**9 + n)  # warm
            for level in a.levels:
                bytes0, cpu0 = _journal_bytes(folder), emulator.cpu_s()
                wall = _run(call, a.calls, level, offset)
                offset += a.calls
                cpu = emulator.cpu_s() - cpu0
                result[f"{kind}@{level}"] = {
                    "wall_us": wall / a.calls * level * 1e6, "per_s": a.calls / wall,
                    "cpu_us": cpu / a.calls * 1e6, "journal_b": (_journal_bytes(folder) - bytes0) / a.calls}
        return result
    finally:
        emulator.stop()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    a = _args()
    # No snapshot during a round: this measures the journal alone (snapshots cost what they did before).
    os.environ["TOLLWAY_SNAPSHOT_SECONDS"] = "3600"
    if a.client_cpus:
        os.sched_setaffinity(0, {int(c) for c in a.client_cpus.split(",")})
    print(f"emulator journal: {a.calls} calls per kind and concurrency, {a.rounds} round(s), emulator "
          f"cpus={a.cpus or 'unpinned'}, client cpus={a.client_cpus or 'unpinned'}, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    rounds: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for _ in range(a.rounds):
        for journal in (False, True):
            rounds[journal].append(one_round(journal, a))
    print(f"{'call':<14}{'journal':<9}{'wall µs':>9}{'calls/s':>9}{'emu CPU µs':>12}{'bytes/call':>12}")
    for kind in KINDS:
        for level in a.levels:
            name = f"{kind}@{level}"
            found = {j: {m: statistics.median(r[name][m] for r in rounds[j]) for m in rounds[j][0][name]}
                     for j in (False, True)}
            for journal in (False, True):
                row = found[journal]
                print(f"{name:<14}{'on' if journal else 'off':<9}{row['wall_us']:>9.0f}{row['per_s']:>9.0f}"
                      f"{row['cpu_us']:>12.0f}{row['journal_b']:>12.0f}")
            print(f"{name:<14}{'on − off':<9}{found[True]['wall_us'] - found[False]['wall_us']:>+9.0f}"
                  f"{found[True]['per_s'] - found[False]['per_s']:>+9.0f}"
                  f"{found[True]['cpu_us'] - found[False]['cpu_us']:>+12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
