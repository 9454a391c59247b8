"""Prepaid leases: a process admits and settles a key's requests in memory, exactly, against a slice
of the key's balance (and of its minute's rate allowance) that one conditional write moved into a
lease it owns. The store sees a few writes a second per key and process, not two per request.

    ticket = await book().admit(ref, "ai:generate", reserve, now)   # None: use per-request admission
    ...
    ticket.settle(charge, record)      # in memory; the record joins the lease's next batch

How it stays exact:
- A lease admits a request only if what it holds, less what its requests reserved and were charged,
  covers the reservation: the slice came out of the balance by a write conditional on covering it,
  so no set of processes can spend more than the balance.
- It admits in memory only within TOLLWAY_LEASE_REVALIDATE_SECONDS of a write that re-read the key
  (revocation, scopes, rpm, balance): that is the bound on a revocation or a credit change reaching
  every process.
- A lease is at most an eighth of the free balance (and about two seconds of the key's traffic); a
  key whose balance is under 64 reservations is admitted per request, as before — a key holding
  1 credit still gets its exact 402.
- Settled records and their charges are flushed together (flush.py): every second, on size, at
  shutdown, and on Lambda before the invocation ends; with a data dir, each settled record is first
  appended to the journal (journal.py), so a killed process loses none.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from tollway.auth.keys import KeyRef
from tollway.config import settings
from tollway.ledger import lease_store
from tollway.ledger.holds import Admission
from tollway.ledger.lease_store import KeyState, LeaseRefused
from tollway.ledger import rate_window as rate
from tollway.usage.records import UsageRecord
from tollway.usage.store import shard_of

MIN_RESERVES = 8  # a lease holds at least this many of the request's reservations…
BALANCE_SHARE = 8  # …and at most this share of the free balance
TARGET_S = 2.0  # a lease grows to about this long of the key's observed traffic
IDLE_S = 10.0  # a lease unused this long is given back
MAX_BATCH = 500  # records per batch item (well under DynamoDB's 400 KB, compressed)

_PROCESS = secrets.token_hex(4)
_ids = itertools.count(1)


@dataclass
class Batch:
    seq: int
    charges: int
    sort_key: str


@dataclass
class Lease:
    key_id: str
    key_hash: str
    id: str
    shard: int
    held: int = 0  # the store's `amount` for this lease as of our last write
    reserved: int = 0  # reservations of requests in flight
    unflushed: int = 0  # charges settled here, not yet written in a batch
    queue: list[dict[str, Any]] = field(default_factory=list)  # their records
    written: list[Batch] = field(default_factory=list)  # batches written, not yet applied
    seq: int = 0  # the last batch written
    applied_seq: int = 0
    applied_after: str = ""  # the sort key of the last batch applied
    slots: int = 0  # requests this lease may still admit in `minute`
    minute: int = -1
    state: KeyState | None = None
    fresh_until: float = 0.0  # admissions in memory allowed until then (every time here is the wall clock's)
    created: bool = False  # the store has it
    released: bool = False  # the store released it (a tombstone): it only drains now
    closed: bool = False  # admits no more (revoked, owing, idle, released)
    last_admit: float = field(default_factory=time.time)
    last_apply: float = field(default_factory=time.time)  # wall clock, as the store's expiries
    admits_since_grow: int = 0
    grown_at: float = field(default_factory=time.time)
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def unapplied(self) -> int:
        return sum(b.charges for b in self.written)

    def available(self) -> int:
        return self.held - self.reserved - self.unflushed - self.unapplied

    def busy(self) -> bool:
        return bool(self.reserved or self.queue or self.written)

    def remaining_requests(self) -> int:
        if self.state is None:
            return 0
        return max(0, self.state.rpm - self.state.minute_count + self.slots)


@dataclass
class Ticket:
    """A request admitted against a lease."""

    lease: Lease
    reserve: int
    at: float  # wall-clock admission time (the usage record's date)
    book: LeaseBook
    rpm: int
    remaining: int
    settled: bool = False

    def rate_headers(self) -> dict[str, str]:
        return rate.headers(self.rpm, self.rpm - self.remaining, self.at)

    def settle(self, charge: int, record: UsageRecord) -> None:
        """Charge `charge` µc and queue the record; in memory (and the journal), exactly once."""
        if self.settled:
            return
        self.settled = True
        record.credits_micro, record.reserved_micro = max(0, charge), self.reserve
        record.recorded_at = self.at
        record.finish()
        self.book.settled(self.lease, self.reserve, record.to_dict())

    def graduate(self, hold: dict[str, Any], hold_id: str) -> Admission | None:
        """Move this request's reservation into a hold of its own (blocking: run in a thread)."""
        return self.book.graduate(self, hold, hold_id)


class LeaseBook:
    """The leases of this process, one current lease per key (and released ones still draining)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current: dict[str, Lease] = {}
        self.draining: list[Lease] = []
        # What per-request admissions told us about keys with no lease here yet: (hash, state, until).
        self.known: dict[str, tuple[str, KeyState, float]] = {}
        self._growing: dict[str, anyio.Lock] = {}
        self.on_settled: Callable[[Lease, dict[str, Any]], None] | None = None  # the journal
        self.on_written: Callable[[Lease, int, int], None] | None = None  # the journal: (lease, seq, records)
        self.on_first_lease: Callable[[], None] | None = None  # starts the flusher
        self.on_full: Callable[[], None] | None = None  # a batch is full: flush now

    # -- admission ---------------------------------------------------------------------------

    def observe(self, ref: KeyRef, item: dict[str, Any], now: float) -> None:
        """A per-request admission (or refusal) read the key: the next request may lease from it."""
        state = KeyState.of(item, now)
        if state.key_hash != ref.hash:
            return
        with self.lock:
            if len(self.known) > 10_000:
                self.known.clear()
            self.known[ref.id] = (ref.hash, state, now + settings().lease_revalidate_s)

    async def admit(self, ref: KeyRef, scope: str, reserve: int, now: float) -> Ticket | None:
        """A ticket, or None: admit this request per request (a key this process has not read yet, a
        small balance, a key near its rate limit, a forged or revoked key). At most one store write."""
        ticket = self._admit_here(ref, scope, reserve, now)
        if ticket is not None:
            return ticket
        with self.lock:
            if ref.id not in self.current and self._known(ref, now) is None:
                return None
        lock = self._growing.setdefault(ref.id, anyio.Lock())
        async with lock:  # one write per key at a time; the others wait for it and admit from it
            ticket = self._admit_here(ref, scope, reserve, now)
            if ticket is not None:
                return ticket
            if not await anyio.to_thread.run_sync(self._grow, ref, reserve, now):
                return None
            return self._admit_here(ref, scope, reserve, now)

    def admit_blocking(self, ref: KeyRef, scope: str, reserve: int, now: float) -> Ticket | None:
        """`admit` for a caller without an event loop (a worker thread, the ledger's property test)."""
        ticket = self._admit_here(ref, scope, reserve, now)
        if ticket is None and self._grow(ref, reserve, now):
            ticket = self._admit_here(ref, scope, reserve, now)
        return ticket

    def _known(self, ref: KeyRef, now: float) -> KeyState | None:
        known = self.known.get(ref.id)
        if known is None or known[0] != ref.hash or known[2] < now or known[1].revoked:
            return None
        return known[1]

    def _admit_here(self, ref: KeyRef, scope: str, reserve: int, now: float) -> Ticket | None:
        with self.lock:
            lease = self.current.get(ref.id)
            if (lease is None or lease.closed or lease.state is None or lease.key_hash != ref.hash
                    or now > lease.fresh_until or scope not in lease.state.scopes
                    or lease.minute != rate.window(now) or lease.slots <= 0 or lease.available() < reserve):
                return None
            lease.reserved += reserve
            lease.slots -= 1
            lease.last_admit = now
            lease.admits_since_grow += 1
            return Ticket(lease, reserve, now, self, lease.state.rpm, lease.remaining_requests())

    def _grow(self, ref: KeyRef, reserve: int, now: float) -> bool:
        """Make the key's lease able to admit a request of `reserve` µc: one conditional write.
        False when this request should be admitted per request instead (small balance, revoked,
        near its rate limit, a forged key): that path decides exactly, and says why."""
        with self.lock:
            lease = self.current.get(ref.id)
            if lease is not None and lease.key_hash != ref.hash:
                return False  # not this key's secret: per-request admission answers 401
            if lease is not None and lease.closed:
                self._retire(lease)
                lease = None
            first = False
            if lease is None:
                known = self._known(ref, now)
                if known is None:
                    return False
                lease_id = f"l{_PROCESS}{next(_ids):x}"
                lease = Lease(ref.id, ref.hash, lease_id, shard_of(lease_id), state=known, last_admit=now,
                              last_apply=now, grown_at=now)
            take, slots, rpm = self._size(lease, reserve, now)
            if take is None:
                return False
            if self.current.get(ref.id) is not lease:
                self.current[ref.id] = lease
                first = len(self.current) == 1 and not self.draining
        if first and self.on_first_lease is not None:
            self.on_first_lease()
        with lease.write_lock:
            try:
                state = lease_store.grow(lease.key_id, lease.key_hash, lease.id, lease.shard, take=take, slots=slots,
                                         rpm=rpm, new=not lease.created, now=now)
            except LeaseRefused as refused:
                with self.lock:
                    if refused.state is None or refused.state.revoked or refused.state.key_hash != ref.hash:
                        lease.closed = True
                    else:
                        lease.state = refused.state  # the key as it is now: the next sizing starts from it
                    if not lease.created:
                        self.current.pop(lease.key_id, None)
                        self.known.pop(lease.key_id, None)
                return False
            with self.lock:
                entry = state.lease(lease.id) or {}
                lease.created = True
                lease.held = int(entry.get("amount", {}).get("N", lease.held + take))
                minute = rate.window(now)
                lease.slots = (lease.slots if lease.minute == minute else 0) + slots
                lease.minute = minute
                self._refreshed(lease, state)
                lease.admits_since_grow, lease.grown_at = 0, now
        return True

    def _size(self, lease: Lease, reserve: int, now: float) -> tuple[int | None, int, int]:
        """(credit to take, slots to take, the rpm they count against); credit None: admit this request
        per request instead. Called with the book locked."""
        state = lease.state
        if state is None or state.revoked or state.balance < 0:
            return None, 0, 0
        elapsed = max(now - lease.grown_at, 0.05)
        per_second = lease.admits_since_grow / elapsed
        available = max(lease.available(), 0)
        take = 0
        if available < reserve or not lease.created:
            cap = state.balance // BALANCE_SHARE
            if cap < MIN_RESERVES * reserve:
                return None, 0, 0  # a small balance: per-request admission is exact to the last µc
            want = max(MIN_RESERVES * reserve, int(per_second * TARGET_S * reserve))
            take = max(0, min(want, cap) - available)
        minute = rate.window(now)
        slots = 0
        if lease.minute != minute or lease.slots <= 0:
            room = state.rpm - (state.minute_count if rate.window(state.at) == minute else 0)
            if room <= 0:
                return None, 0, 0  # per-request admission gives the exact 429
            slots = max(1, min(max(MIN_RESERVES, int(per_second * TARGET_S)), room // 2 or 1))
        return take, slots, state.rpm

    def _refreshed(self, lease: Lease, state: KeyState) -> None:
        lease.state = state
        lease.fresh_until = state.at + settings().lease_revalidate_s
        if state.revoked or state.key_hash != lease.key_hash or state.balance < 0:
            lease.closed = True

    def _retire(self, lease: Lease) -> None:
        lease.closed = True
        if self.current.get(lease.key_id) is lease:
            del self.current[lease.key_id]
        if lease.busy() or (lease.created and not lease.released):
            self.draining.append(lease)

    # -- settlement --------------------------------------------------------------------------

    def settled(self, lease: Lease, reserve: int, stored: dict[str, Any]) -> None:
        with self.lock:
            if self.on_settled is not None:
                self.on_settled(lease, stored)  # the journal first: a kill after this loses nothing
            lease.reserved -= reserve
            lease.unflushed += int(stored["credits_micro"])
            lease.queue.append(stored)
            full = len(lease.queue) >= MAX_BATCH
        if full and self.on_full is not None:
            self.on_full()

    def graduate(self, ticket: Ticket, hold: dict[str, Any], hold_id: str) -> Admission | None:
        lease = ticket.lease
        with lease.write_lock:
            if lease.released or not lease_store.graduate(lease.key_id, lease.id, hold_id, hold, ticket.reserve):
                return None
            with self.lock:
                lease.held -= ticket.reserve
                lease.reserved -= ticket.reserve
        ticket.settled = True
        return Admission(key_id=lease.key_id, hold_id=hold_id, reserved=ticket.reserve, balance_after=0,
                         rpm=ticket.rpm, used=0, stale_windows=(), now=ticket.at)

    def leases(self) -> list[Lease]:
        with self.lock:
            return [*self.current.values(), *self.draining]

    def forget(self, lease: Lease) -> None:
        with self.lock:
            if self.current.get(lease.key_id) is lease:
                del self.current[lease.key_id]
            if lease in self.draining:
                self.draining.remove(lease)


_book = LeaseBook()


def book() -> LeaseBook:
    return _book
