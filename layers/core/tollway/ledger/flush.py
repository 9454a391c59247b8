"""Flushing leases: settled records and their charges reach the store in batches.

    flush_all()                  # everything now (shutdown, tests, the admin API's reads)
    flush_invocation()           # Lambda: before the invocation ends (records now, charges ≤ 1/s)
    start_flusher()              # `tollway serve`: a thread flushing every TOLLWAY_LEASE_FLUSH_SECONDS

A flush of one lease is two writes, whatever the number of requests: one PutItem of the batch of
usage records (usage/store.py) and one UpdateItem applying their charges to the lease (and pushing
its expiry forward). On Lambda the records are written at the end of every invocation (no record
outlives it), but the charges are applied at most once a second: 100 containers serving one key
write its item about 100 times a second, whatever their traffic (see README, Performance).

If the lease was released meanwhile (its process was frozen past its expiry and the sweeper gave
it back), the release accounted the batches it found; this process takes the charges of the later
ones from the balance itself, once, against the tombstone's `seq`.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from tollway.config import settings
from tollway.ledger import lease_store
from tollway.ledger.lease_store import LeaseGone
from tollway.ledger.leases import IDLE_S, MAX_BATCH, Batch, Lease, LeaseBook, book
from tollway.usage.store import batch_item

log = logging.getLogger("tollway.ledger")


def on_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def write_pending(lease: Lease, leases: LeaseBook) -> None:
    """Write the lease's queued records as batches (the caller holds its write lock)."""
    while True:
        with leases.lock:
            if not lease.queue:
                return
            # A batch is the queue's longest prefix of one provider's records (a prefix: the journal
            # counts what was written from the front), so a batch item can be indexed by provider.
            provider, taken = lease.queue[0]["provider"], 0
            while taken < min(len(lease.queue), MAX_BATCH) and lease.queue[taken]["provider"] == provider:
                taken += 1
            records, lease.queue = lease.queue[:taken], lease.queue[taken:]
            charges = sum(int(r["credits_micro"]) for r in records)
            lease.unflushed -= charges
            lease.seq += 1
            seq = lease.seq
            item = batch_item(lease.key_id, lease.id, lease.shard, seq, records)
            lease.written.append(Batch(seq, charges, item["sk"]["S"]))
        lease_store.write_batch(item)
        if leases.on_written is not None:
            leases.on_written(lease, seq, len(records))


def apply_written(lease: Lease, leases: LeaseBook, now: float, *, keepalive: bool = False) -> None:
    """Apply the charges of the written batches to the lease (the caller holds its write lock); with
    `keepalive`, push its expiry forward even with nothing to apply."""
    with leases.lock:
        batches = list(lease.written)
    if not batches and (not keepalive or not lease.created):
        return
    if lease.released:
        _debit_after_release(lease, leases, batches)
        return
    charges = sum(b.charges for b in batches)
    last = batches[-1] if batches else None
    try:
        state = lease_store.apply(lease.key_id, lease.id, charges=charges,
                                  seq=last.seq if last else lease.applied_seq,
                                  after=last.sort_key if last else lease.applied_after, prev_seq=lease.applied_seq,
                                  now=now)
    except LeaseGone as gone:
        with leases.lock:
            lease.released = lease.closed = True
        if gone.tombstone is None:
            log.error("lease %s of key %s vanished with %d µc unapplied", lease.id, lease.key_id, charges)
            return
        _debit_after_release(lease, leases, batches, int(gone.tombstone.get("seq", {}).get("N", 0)))
        return
    with leases.lock:
        entry = state.lease(lease.id) or {}
        lease.held = int(entry.get("amount", {}).get("N", lease.held - charges))
        del lease.written[:len(batches)]
        if last is not None:
            lease.applied_seq, lease.applied_after = last.seq, last.sort_key
        lease.last_apply = now
        leases._refreshed(lease, state)


def _debit_after_release(lease: Lease, leases: LeaseBook, batches: list[Batch], accounted: int | None = None) -> None:
    """The lease was released (its batches up to the tombstone's seq accounted by the release): take
    the later batches' charges from the balance, exactly once."""
    for _ in range(5):
        if accounted is None:
            item = lease_store.read_key(lease.key_id) or {}
            entry = item.get("leases", {}).get("M", {}).get(lease.id, {}).get("M")
            if entry is None:
                log.error("released lease %s of key %s has no tombstone", lease.id, lease.key_id)
                return
            accounted = int(entry.get("seq", {}).get("N", 0))
        owed = [b for b in batches if b.seq > accounted]
        if not owed:
            break
        if lease_store.debit_after_release(lease.key_id, lease.id, charges=sum(b.charges for b in owed),
                                           seq=owed[-1].seq, accounted_seq=accounted):
            break
        accounted = None  # another writer moved the tombstone: read it again
    with leases.lock:
        del lease.written[:len(batches)]
        lease.held = 0


def flush_lease(lease: Lease, leases: LeaseBook, *, keepalive: bool = False, now: float | None = None) -> None:
    now = time.time() if now is None else now
    with lease.write_lock:
        write_pending(lease, leases)
        apply_written(lease, leases, now, keepalive=keepalive)


def release_if_idle(lease: Lease, leases: LeaseBook, *, force: bool = False) -> None:
    """Give an unused lease's credit back (after applying everything): idle leases hold nothing."""
    with lease.write_lock:
        with leases.lock:
            idle = force or lease.closed or time.time() - lease.last_admit > IDLE_S
            if not idle or lease.reserved or lease.queue or lease.written:
                return
            lease.closed = True
            if leases.current.get(lease.key_id) is lease:
                del leases.current[lease.key_id]
        if lease.created and not lease.released and not lease_store.release(
                lease.key_id, lease.id, amount=lease.held, seq=lease.applied_seq):
            log.warning("lease %s of key %s changed under its owner; the sweeper will settle it", lease.id, lease.key_id)
        leases.forget(lease)


def flush_all(*, release: bool = False) -> None:
    """Write and apply everything every lease of this process has settled (and with `release`, give
    idle leases back): at shutdown, and wherever a reader must see this process's latest charges."""
    leases = book()
    for lease in leases.leases():
        try:
            flush_lease(lease, leases)
            if release or lease.closed:
                release_if_idle(lease, leases, force=release)
        except Exception as exc:  # noqa: BLE001 - one key's store trouble must not stop the others' flush
            log.error("flushing lease %s failed: %s", lease.id, type(exc).__name__)


def flush_invocation(leases: LeaseBook | None = None, now: float | None = None) -> None:
    """Lambda: before the invocation ends, write every settled record; apply charges at most once a
    second per lease (the next invocation, or the sweeper after the lease expires, applies the rest)."""
    leases = leases or book()
    now = time.time() if now is None else now
    every = settings().lease_flush_s
    for lease in leases.leases():
        with lease.write_lock:
            write_pending(lease, leases)
            if lease.closed or now - lease.last_apply >= every:
                apply_written(lease, leases, now)


class Flusher:
    """`tollway serve` (and any long-lived server): flush every lease every TOLLWAY_LEASE_FLUSH_SECONDS
    (sooner when a batch is full), keep busy leases alive, give idle ones back, flush all at exit."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is not None or on_lambda():
                return
            self._thread = threading.Thread(target=self._run, name="tollway-ledger-flush", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        leases = book()
        while not self._stop.is_set():
            self._wake.wait(settings().lease_flush_s)
            self._wake.clear()
            for lease in leases.leases():
                try:
                    flush_lease(lease, leases, keepalive=_expiring(lease))
                    release_if_idle(lease, leases)
                except Exception as exc:  # noqa: BLE001 - retried at the next tick; the sweeper is the backstop
                    log.error("flushing lease %s failed: %s", lease.id, type(exc).__name__)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        flush_all(release=True)


def _expiring(lease: Lease) -> bool:
    """A lease with requests in flight but nothing to apply still needs its expiry pushed forward."""
    return bool(lease.reserved) and time.time() - lease.last_apply > settings().lease_ttl_s / 3


_flusher = Flusher()


def flusher() -> Flusher:
    return _flusher
