"""The ledger's guarantees under random interleavings (hypothesis), against the emulator.

Several gateway processes — `tollway serve` ones (a lease book, flushed now and then, and a journal
in their data dir) and Lambda ones (records written at the end of every invocation, charges applied
now and then) — serve a few keys: requests that succeed, fail upstream or are left by their client, some
admitted and settled at once and some left in flight while other things happen; processes killed
before their flush (a served one is restarted — its journal replayed — before anything else runs
on its machine, as `tollway serve` does), time passing (live processes keep their
leases alive as their flusher would; the sweeper releases what the dead left), forced lease growth,
admin top-ups and revocations. At every step, for every key:

    start + top-ups = balance + charges + outstanding holds      (exactly, in micro-credits)
    balance >= 0, and no lease holds less than its flushed requests cost

and at the end, after flushing the live and replaying the dead: exactly one usage record per
answered (or refused) request, and none for anything else but the holds the sweeper expired.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.ledger_books import books
from tollway.auth import store
from tollway.auth.keys import parse_key
from tollway.errors import TollwayError
from tollway.ledger import lease_store
from tollway.ledger.admission import admit
from tollway.ledger.holds import Admission, Hold
from tollway.ledger.flush import apply_written, flush_lease, release_if_idle, write_pending
from tollway.ledger.journal import Journal, replay
from tollway.ledger.leases import LeaseBook, Ticket
from tollway.ledger.settlement import settle
from tollway.ledger.sweeper import sweep
from tollway.usage.records import UsageRecord

SCOPE = "ai:generate"
_ids = itertools.count()


@dataclass
class InFlight:
    request_id: str
    key: str
    reserve: int
    ticket: Ticket | None = None
    admission: Admission | None = None


@dataclass
class Process:
    name: str
    book: LeaseBook
    journal: Journal | None  # None: a Lambda container
    path: Path
    in_flight: list[InFlight] = field(default_factory=list)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = time.time()
        self.keys: dict[str, dict[str, Any]] = {}  # key id → {"key", "start", "top_ups"}
        self.processes: list[Process] = []
        self.dead: list[Process] = []
        self.answered: dict[str, set[str]] = {}  # key id → request ids answered or refused
        self.unanswered: dict[str, set[str]] = {}  # key id → request ids in flight when their process died

    # -- set-up ------------------------------------------------------------------------------

    @initialize(balances=st.lists(st.sampled_from([300, 5_000, 2_000_000, 50_000_000]), min_size=2, max_size=2))
    def make_keys(self, balances: list[int]) -> None:
        for balance in balances:
            key, record = store.create_key("prop", balance, 100_000, (SCOPE,))
            self.keys[record.id] = {"key": key, "start": balance, "top_ups": 0}
            self.answered[record.id], self.unanswered[record.id] = set(), set()
        self._start_process(served=True)
        self._start_process(served=False)

    def _start_process(self, served: bool) -> None:
        name = f"p{next(_ids)}"
        path = Path(self.tmp) / f"{name}.journal"
        book = LeaseBook()
        journal = Journal(path) if served else None
        if journal is not None:
            book.on_settled, book.on_written = journal.settled, journal.written
        self.processes.append(Process(name, book, journal, path))

    def _process_of(self, flight: InFlight) -> Process | None:
        return next((p for p in self.processes if flight.ticket is not None and flight.ticket.book is p.book), None)

    # -- requests ----------------------------------------------------------------------------

    def _admit(self, process: Process, key_id: str, reserve: int) -> InFlight | None:
        ref = parse_key(self.keys[key_id]["key"])
        assert ref is not None
        request_id = f"req_prop{next(_ids):08d}"
        flight = InFlight(request_id, key_id, reserve)
        flight.ticket = process.book.admit_blocking(ref, SCOPE, reserve, self.clock)
        if flight.ticket is None:
            hold = Hold(request_id, 900, "chat.completions", "gpt-4o-mini")
            try:
                flight.admission = admit(ref, SCOPE, reserve, self.clock, hold,
                                         lambda item: process.book.observe(ref, item, self.clock))
            except TollwayError:
                return None  # refused by the store: the refusal record is the gateway's, not the ledger's
        return flight

    def _settle(self, flight: InFlight, charge: int, status: str, apply: bool = False) -> None:
        record = UsageRecord(request_id=flight.request_id, key_id=flight.key, endpoint="chat.completions",
                             model="gpt-4o-mini", provider="openai", status=status, recorded_at=self.clock)
        if flight.ticket is not None:
            flight.ticket.settle(charge, record)
            process = self._process_of(flight)
            if process is not None and process.journal is None:  # Lambda: written before the invocation ends
                lease = flight.ticket.lease
                with lease.write_lock:
                    write_pending(lease, process.book)
                    if apply:
                        apply_written(lease, process.book, self.clock)
        else:
            assert flight.admission is not None
            settle(flight.admission, charge, record)
        self.answered[flight.key].add(flight.request_id)

    @rule(data=st.data(), reserve=st.integers(1, 40_000), outcome=st.sampled_from(["ok", "upstream", "left"]))
    def request(self, data: st.DataObject, reserve: int, outcome: str) -> None:
        process = data.draw(st.sampled_from(self.processes))
        key_id = data.draw(st.sampled_from(sorted(self.keys)))
        flight = self._admit(process, key_id, reserve)
        if flight is None:
            return
        charge = {"ok": data.draw(st.integers(0, reserve)), "upstream": 0,
                  "left": data.draw(st.integers(0, reserve))}[outcome]
        self._settle(flight, charge, {"ok": "ok", "upstream": "upstream_error", "left": "client_disconnected"}[outcome],
                     apply=data.draw(st.booleans()))

    @rule(data=st.data(), reserve=st.integers(1, 40_000))
    def start_a_long_request(self, data: st.DataObject, reserve: int) -> None:
        process = data.draw(st.sampled_from(self.processes))
        flight = self._admit(process, data.draw(st.sampled_from(sorted(self.keys))), reserve)
        if flight is not None:
            process.in_flight.append(flight)

    @rule(data=st.data(), count=st.integers(20, 80), reserve=st.integers(10_000, 60_000))
    def a_burst_that_would_overspend_if_anything_let_it(self, data: st.DataObject, count: int, reserve: int) -> None:
        """Many requests at once on one key, each charged in full: more than some balances hold."""
        process = data.draw(st.sampled_from(self.processes))
        key_id = data.draw(st.sampled_from(sorted(self.keys)))
        flights = [f for f in (self._admit(process, key_id, reserve) for _ in range(count)) if f is not None]
        for flight in flights:
            self._settle(flight, reserve, "ok")

    @precondition(lambda self: any(p.in_flight for p in self.processes))
    @rule(data=st.data())
    def finish_a_long_request(self, data: st.DataObject) -> None:
        process = data.draw(st.sampled_from([p for p in self.processes if p.in_flight]))
        flight = process.in_flight.pop(data.draw(st.integers(0, len(process.in_flight) - 1)))
        self._settle(flight, data.draw(st.integers(0, flight.reserve)), "ok", apply=data.draw(st.booleans()))

    # -- processes, time, the operator -----------------------------------------------------------

    @rule(data=st.data())
    def flush(self, data: st.DataObject) -> None:
        process = data.draw(st.sampled_from(self.processes))
        for lease in process.book.leases():
            flush_lease(lease, process.book, now=self.clock)

    @rule(data=st.data())
    def grow_a_lease(self, data: st.DataObject) -> None:
        process = data.draw(st.sampled_from(self.processes))
        ref = parse_key(self.keys[data.draw(st.sampled_from(sorted(self.keys)))]["key"])
        assert ref is not None
        process.book._grow(ref, data.draw(st.integers(1, 40_000)), self.clock)

    @precondition(lambda self: len(self.processes) > 1)
    @rule(data=st.data())
    def kill_a_process_before_its_flush(self, data: st.DataObject) -> None:
        process = data.draw(st.sampled_from(self.processes))
        self.processes.remove(process)
        self.dead.append(process)
        for flight in process.in_flight:
            if flight.admission is not None:
                self.unanswered[flight.key].add(flight.request_id)  # its hold expires; the sweep records it
        if process.journal is not None:
            process.journal.close()

    @precondition(lambda self: bool(self.dead))
    @rule()
    def restart_the_dead(self) -> None:
        """`tollway serve` started again on a dead process's data dir (its journal replayed), or a new
        Lambda container in place of one that was reclaimed."""
        process = self.dead.pop()
        if process.journal is not None:
            replay(process.path)
        self._start_process(served=process.journal is not None)

    def _no_journal_waits(self) -> bool:
        """On a `tollway serve` machine nothing runs before the restarted gateway replays its journal."""
        return not any(p.journal is not None for p in self.dead)

    @precondition(_no_journal_waits)
    @rule(seconds=st.sampled_from([5, 40, 1_000]))
    def time_passes(self, seconds: int) -> None:
        if seconds > 300:  # no request outlives its hold: live ones end before their deadline
            for process in self.processes:
                while process.in_flight:
                    self._settle(process.in_flight.pop(), 0, "client_disconnected")
        self.clock += seconds
        for process in self.processes:  # what each live process's flusher did meanwhile
            for lease in process.book.leases():
                flush_lease(lease, process.book, keepalive=True, now=self.clock)
                release_if_idle(lease, process.book)
        sweep(now=self.clock)

    @rule(data=st.data(), amount=st.integers(1, 3_000_000))
    def top_up(self, data: st.DataObject, amount: int) -> None:
        key_id = data.draw(st.sampled_from(sorted(self.keys)))
        store.add_credits(key_id, amount)
        self.keys[key_id]["top_ups"] += amount

    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        store.revoke_key(data.draw(st.sampled_from(sorted(self.keys))))

    # -- the guarantees -------------------------------------------------------------------------

    @invariant()
    def books_balance_and_nothing_is_overspent(self) -> None:
        for key_id, key in self.keys.items():
            found = books(key_id)
            assert key["start"] + key["top_ups"] == found.balance + found.charges + found.holds, (key_id, found)
            # Nothing overspent: neither the free balance nor any lease's (what it holds less what its
            # flushed requests cost) below zero.
            assert found.balance >= 0 and all(net >= 0 for net in found.leases.values()), (key_id, found)

    def teardown(self) -> None:
        if not self.keys:
            return
        for process in self.processes:
            while process.in_flight:
                self._settle(process.in_flight.pop(), 0, "client_disconnected")
            for lease in process.book.leases():
                flush_lease(lease, process.book, now=self.clock)
            if process.journal is not None:
                process.journal.close()
        for process in self.dead:
            if process.journal is not None:
                replay(process.path)
        sweep(now=self.clock + 10_000)  # what the dead left in holds is recorded as expired
        for key_id in self.keys:
            found = books(key_id)
            ids = [r["request_id"] for r in found.records]
            assert len(ids) == len(set(ids)), "a request has two usage records"
            assert self.answered[key_id] <= set(ids), "an answered request has no usage record"
            assert set(ids) <= self.answered[key_id] | self.unanswered[key_id]
            expired = {r["request_id"] for r in found.records if r["status"] == "expired"}
            assert expired <= self.unanswered[key_id]
            assert self.keys[key_id]["start"] + self.keys[key_id]["top_ups"] == found.balance + found.charges + found.holds
            assert found.balance >= 0
            assert lease_store.read_key(key_id) is not None


@pytest.fixture()
def ledger_machine(environment: str, tmp_path: Path) -> type[LedgerMachine]:
    LedgerMachine.tmp = str(tmp_path)  # type: ignore[attr-defined]
    return LedgerMachine


def test_the_ledger_conserves_money_and_records_every_answer_under_any_interleaving(ledger_machine) -> None:
    """A bounded run in `make test`; TOLLWAY_PROPERTY_EXAMPLES=200 for a long one."""
    import os

    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(ledger_machine, settings=settings(
        max_examples=int(os.environ.get("TOLLWAY_PROPERTY_EXAMPLES", "6")), stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
