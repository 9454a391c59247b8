"""The ledger's journal: where there is a disk (`tollway serve` with a data dir), every record a lease
settles is appended here before the answer completes, so a process killed before its flush loses no
usage record of a request a client received. At the next start, `replay` writes what was not
written, then releases the dead process's leases (their charges applied, the rest given back).

    journal = open_journal(data_dir / "ledger.journal")   # hooks into the lease book
    replay(data_dir / "ledger.journal")                    # at start, before serving

One JSON line per event, appended with one unbuffered write (a killed process leaves whole lines,
at worst a torn last one, which replay skips): `{"r": record, "l": lease, "k": key, "s": shard}`
when a record is settled, `{"w": seq, "l": lease, "n": records}` when a batch is written. Replay is
idempotent (every write it makes is conditional), so a crash during replay is replayed again.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from tollway.ledger import lease_store
from tollway.ledger.leases import Lease, book
from tollway.usage.store import batch_item

log = logging.getLogger("tollway.ledger")
COMPACT_BYTES = 16 * 1024 * 1024


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def _append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, separators=(",", ":")).encode() + b"\n"
        with self._lock:
            os.write(self._fd, line)

    def settled(self, lease: Lease, stored: dict[str, Any]) -> None:
        self._append({"r": stored, "l": lease.id, "k": lease.key_id, "s": lease.shard})

    def written(self, lease: Lease, seq: int, count: int) -> None:
        self._append({"w": seq, "l": lease.id, "n": count})

    def compact_if_idle(self) -> None:
        """Start afresh once it is large and nothing it holds is unwritten (the book's lock keeps
        settlements out meanwhile)."""
        leases = book()
        with leases.lock, self._lock:
            if os.fstat(self._fd).st_size < COMPACT_BYTES or any(lease.queue for lease in leases.current.values()):
                return
            if any(lease.queue for lease in leases.draining):
                return
            os.ftruncate(self._fd, 0)

    def close(self) -> None:
        with self._lock:
            os.close(self._fd)


_journal: Journal | None = None


def open_journal(path: Path) -> Journal:
    global _journal
    path.parent.mkdir(parents=True, exist_ok=True)
    _journal = Journal(path)
    leases = book()
    leases.on_settled = _journal.settled
    leases.on_written = _journal.written
    return _journal


def journal() -> Journal | None:
    return _journal


def close_journal() -> None:
    global _journal
    if _journal is not None:
        leases = book()
        leases.on_settled = leases.on_written = None
        _journal.close()
        _journal = None


def _read(path: Path) -> dict[str, dict[str, Any]]:
    """Per lease: its key, shard, settled records in order, records written and the last seq."""
    leases: dict[str, dict[str, Any]] = {}
    with path.open("rb") as lines:
        for raw in lines:
            try:
                entry = json.loads(raw)
            except ValueError:
                continue  # a line torn by the kill
            state = leases.setdefault(entry["l"], {"records": [], "written": 0, "seq": 0, "key": None, "shard": 0})
            if "r" in entry:
                state["records"].append(entry["r"])
                state["key"], state["shard"] = entry["k"], entry["s"]
            elif "w" in entry:
                state["written"] += entry["n"]
                state["seq"] = max(state["seq"], entry["w"])
    return leases


def replay(path: Path) -> int:
    """Write what a killed process settled but did not flush, release its leases; the records written."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    written = 0
    for lease_id, state in _read(path).items():
        if state["key"] is None:
            continue
        unwritten = state["records"][state["written"]:]
        if unwritten:
            lease_store.write_batch(batch_item(state["key"], lease_id, state["shard"], state["seq"] + 1, unwritten))
            written += len(unwritten)
        _release_dead(state["key"], lease_id)
    path.write_bytes(b"")
    return written


def _release_dead(key_id: str, lease_id: str) -> None:
    """Release a dead process's lease now, whatever its expiry: its batches' charges applied (those
    after a release the sweeper made are taken from the balance), the rest given back."""
    for _ in range(5):
        item = lease_store.read_key(key_id) or {}
        entry = item.get("leases", {}).get("M", {}).get(lease_id, {}).get("M")
        if entry is None:
            log.error("replay: lease %s of key %s is gone; its unapplied charges cannot be placed", lease_id, key_id)
            return
        if "released" not in entry:
            if lease_store.release_abandoned(key_id, lease_id, entry, time.time()) is not None:
                return
            continue
        accounted = int(entry.get("seq", {}).get("N", 0))
        later = [(seq, charges) for seq, charges, _ in lease_store.unapplied_batches(key_id, lease_id, entry)
                 if seq > accounted]
        if not later or lease_store.debit_after_release(key_id, lease_id, charges=sum(c for _, c in later),
                                                        seq=later[-1][0], accounted_seq=accounted):
            return
