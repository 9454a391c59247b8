"""A write `tollway serve` acknowledged survives SIGKILL of the gateway and its emulator together, at
any moment: the emulator journals each write it answers (fsync'd first) and replays the journal over
its last snapshot at start; the gateway journals the usage records it settled (ledger/journal.py).

Under load — chats on a key big enough for prepaid leases, file uploads, a top-up — both processes
are killed at a random moment, twice; after each restart every answered chat has its usage record
with the charge its answer announced, every uploaded file has its bytes, an answered top-up is in
the balance, and the books balance exactly."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import httpx

from tests.conftest import bearer
from tests.served import ServedGateway, process_gone
from tollway.usage.store import records_of

ASK = {"model": "local/echo", "messages": [{"role": "user", "content": "count these few words please"}]}
MICRO = Decimal(1_000_000)


@dataclass
class Acknowledged:
    """What the gateway answered with a 2xx before it was killed."""

    charges: dict[str, Decimal] = field(default_factory=dict)  # request id → x-credits-used
    files: dict[str, bytes] = field(default_factory=dict)
    top_ups: list[Decimal] = field(default_factory=list)
    unanswered_top_ups: list[Decimal] = field(default_factory=list)  # sent, the answer lost in the kill
    lock: threading.Lock = field(default_factory=threading.Lock)


class Load:
    """Chats, uploads and one top-up against `served` until stopped (errors after the kill are expected)."""

    def __init__(self, served: ServedGateway, key: dict[str, Any], seen: Acknowledged, top_up: Decimal) -> None:
        self.served, self.key, self.seen, self.top_up = served, key, seen, top_up
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._chats) for _ in range(4)]
        self.threads += [threading.Thread(target=self._files), threading.Thread(target=self._credit)]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.served.url, headers=bearer(self.key), timeout=10)

    def _chats(self) -> None:
        with self._client() as http:
            while not self.stopping.is_set():
                try:
                    answer = http.post("/v1/chat/completions", json=ASK)
                except httpx.HTTPError:
                    continue
                if answer.status_code == 200:
                    with self.seen.lock:
                        self.seen.charges[answer.headers["x-request-id"]] = Decimal(answer.headers["x-credits-used"])

    def _files(self) -> None:
        rng = random.Random()
        with self._client() as http:
            while not self.stopping.is_set():
                data = rng.randbytes(rng.randint(1, 64 * 1024))
                try:
                    answer = http.post("/v1/files", data={"purpose": "batch"},
                                       files={"file": ("blob.bin", data, "application/octet-stream")})
                except httpx.HTTPError:
                    continue
                if answer.status_code == 200:
                    with self.seen.lock:
                        self.seen.files[answer.json()["id"]] = data

    def _credit(self) -> None:
        self.stopping.wait(random.uniform(0.1, 0.6))
        admin = {"authorization": f"Bearer {self.served.admin_key}"}
        try:
            answer = httpx.post(f"{self.served.url}/admin/keys/{self.key['id']}/credits",
                                json={"amount": str(self.top_up)}, headers=admin, timeout=10)
        except httpx.HTTPError:
            answer = None
        with self.seen.lock:
            if answer is not None and answer.status_code == 200:
                self.seen.top_ups.append(self.top_up)
            else:
                self.seen.unanswered_top_ups.append(self.top_up)


def kill_both(served: ServedGateway) -> None:
    """SIGKILL the gateway and its emulator at once (one process group): no snapshot, no flush."""
    assert served.process is not None
    emulators = served.children()
    os.killpg(served.process.pid, signal.SIGKILL)
    served.process.wait()
    assert emulators and all(process_gone(pid) for pid in emulators)


@contextmanager
def served_store(served: ServedGateway) -> Iterator[Any]:
    """This process's store clients pointed at the served gateway's emulator (for the ledger's books)."""
    from tollway import aws_clients, config

    names = {"AWS_ENDPOINT_URL": served.emulator_url, "KEYS_TABLE": "KeysTable", "USAGE_TABLE": "UsageTable",
             "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    config.reset_for_tests()
    aws_clients.reset()
    try:
        yield boto3.session.Session().client("dynamodb", endpoint_url=served.emulator_url)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        config.reset_for_tests()
        aws_clients.reset()


def check_everything_acknowledged_is_there(served: ServedGateway, key: dict[str, Any], start: Decimal,
                                           seen: Acknowledged) -> None:
    shown = httpx.get(f"{served.url}/admin/keys/{key['id']}", headers={"authorization": f"Bearer {served.admin_key}"},
                      timeout=10)  # flushes what the new process settled
    assert shown.status_code == 200, shown.text
    with served_store(served) as ddb:
        from tollway.ledger.books import key_books

        records = {r["request_id"]: r for r in records_of(key["id"], ddb=ddb, table="UsageTable")}
        missing = [rid for rid in seen.charges if rid not in records]
        assert not missing, f"{len(missing)} of {len(seen.charges)} answered chats have no usage record"
        wrong = {rid: (credits, records[rid]["credits_micro"]) for rid, credits in seen.charges.items()
                 if Decimal(records[rid]["credits_micro"]) != credits * MICRO}
        assert not wrong, wrong
        assert sum(seen.charges.values()) * MICRO <= sum(Decimal(r["credits_micro"]) for r in records.values())
        found = key_books(key["id"])
    expected = (start + sum(seen.top_ups)) * MICRO
    conserved = found.balance + found.charges + found.holds
    # A top-up whose answer was lost may or may not have been applied; an answered one must be.
    possible = {expected + extra * MICRO for extra in _subset_sums(seen.unanswered_top_ups)}
    assert conserved in possible, (conserved, expected, found)
    for file_id, data in seen.files.items():
        content = httpx.get(f"{served.url}/v1/files/{file_id}/content", headers=bearer(key), timeout=10,
                            follow_redirects=True)
        assert content.status_code == 200 and content.content == data, (file_id, content.status_code)


def _subset_sums(amounts: list[Decimal]) -> set[Decimal]:
    sums = {Decimal(0)}
    for amount in amounts:
        sums |= {s + amount for s in sums}
    return sums


def test_writes_acknowledged_before_both_processes_are_killed_survive_the_restart(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    # Snapshots every 0.4 s: the kills land before, during and after snapshots and journal switches.
    env = {"TOLLWAY_ADMIN_KEY": "tw-admin-crash", "TOLLWAY_SNAPSHOT_SECONDS": "0.4"}
    served = ServedGateway(env=env, data_dir=tmp_path).start()
    start = Decimal(1000)
    seen = Acknowledged()
    try:
        key = served.create_key(credits=str(start))
        for kill, top_up in enumerate((Decimal(7), Decimal(11))):
            with Load(served, key, seen, top_up):
                chats, files = len(seen.charges), len(seen.files)
                deadline = time.monotonic() + 60
                while not (len(seen.charges) > chats and len(seen.files) > files) and time.monotonic() < deadline:
                    time.sleep(0.05)  # until this round has answered a chat and an upload (a slow machine)
                time.sleep(rng.uniform(0.0, 1.5))
                kill_both(served)
            assert len(seen.charges) > chats and len(seen.files) > files, \
                f"seed {seed}: no load was answered before kill {kill}"
            served = ServedGateway(env=env, data_dir=tmp_path, port=served.port).start()
            check_everything_acknowledged_is_there(served, key, start, seen)
    finally:
        served.stop()
