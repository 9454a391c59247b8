"""Admission to settlement for any priced call — chat, embeddings, images, audio, operations.

    meter = await admit_call(key, Call(scope="ai:generate", endpoint="embeddings", model=spec.id,
                                       provider="openai", reserve=cost, request_id=rid))
    async with meter.refund_on_error():
        result = await provider.embed(body)
    await meter.settle(spec.cost(result.tokens, 0), prompt_tokens=result.tokens)
    return JSONResponse(result.body, headers=meter.headers)

Most calls touch no store at all: they are admitted and settled in memory against this process's
prepaid lease for the key (leases.py), and their records reach the store in batches (flush.py).
A call the lease cannot take (a small balance, a key near its rate limit, an operation that another
process settles) is admitted per request: one conditional write before the upstream call, one
transaction after (admission.py, settlement.py). A refusal there (402, 429, 403) is recorded too,
so an operator sees who is being turned away and why.

No request outlives its hold: `meter.ends_by` (a monotonic deadline) is the earlier of
TOLLWAY_MAX_REQUEST_SECONDS after admission (below the function's timeout) and the hold's own
deadline less a margin for the settlement itself; callers bound their upstream calls and streams
by it (see stream.py).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio

from tollway.auth.authenticate import key_ref
from tollway.auth.keys import KeyRef
from tollway.config import settings
from tollway.errors import InsufficientCredits, PermissionDenied, RateLimited, TollwayError
from tollway.ledger.admission import admit
from tollway.ledger.holds import Admission, Hold
from tollway.ledger.checkpoint import checkpoint
from tollway.ledger.flush import flusher
from tollway.ledger.leases import Ticket, book
from tollway.ledger.money import format_credits
from tollway.ledger.settlement import settle
from tollway.usage.records import UsageRecord
from tollway.usage.store import record_refusal


@dataclass(frozen=True)
class Call:
    scope: str
    endpoint: str  # the usage record's name for the surface: "chat.completions", "embeddings", …
    model: str
    provider: str
    reserve: int  # worst-case cost in micro-credits
    request_id: str
    stream: bool = False
    hold_s: float | None = None  # how long the reservation may stay unsettled (default: settings)
    at: float | None = None  # the admission's wall-clock time (default: now); dates the usage record
    started: float = field(default_factory=time.monotonic)


def settlement_margin(hold_s: float) -> float:
    """Time kept between a request's end and its hold's deadline, for the settlement to land."""
    return min(10.0, hold_s / 4)


@dataclass
class Meter:
    """An admitted call holding its reservation until `settle` or `refund` releases it: against this
    process's lease (`ticket`) or as a hold of its own (`admission`)."""

    record: UsageRecord
    headers: dict[str, str]
    reserved: int
    hold: Hold
    admission: Admission | None = None
    ticket: Ticket | None = None
    ends_by: float = float("inf")  # monotonic: the request must have ended (and begin settling) by then
    settled: bool = False
    checkpointed: int = 0

    def seconds_left(self) -> float:
        return self.ends_by - time.monotonic()

    async def settle(self, charge: int, *, prompt_tokens: int = 0, completion_tokens: int = 0) -> int:
        """Charge the real cost (even beyond the reservation) and write the usage record."""
        self.record.prompt_tokens, self.record.completion_tokens = prompt_tokens, completion_tokens
        if self.ticket is not None:
            self.ticket.settle(charge, self.record)  # in memory: the record joins the lease's next batch
            charged = max(0, charge)
        else:
            assert self.admission is not None
            with anyio.CancelScope(shield=True):
                charged = await anyio.to_thread.run_sync(settle, self.admission, charge, self.record)
        self.settled = True
        self.headers["x-credits-used"] = format_credits(charged)
        return charged

    async def refund(self, status: str, http_status: int, code: str | None, *, prompt_tokens: int = 0,
                     completion_tokens: int = 0, charge: int = 0) -> int:
        """The call ended abnormally: charge only `charge` (what it cost so far) and refund the rest."""
        self.record.status, self.record.http_status, self.record.error_code = status, http_status, code
        return await self.settle(charge, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)

    async def checkpoint(self, owed: int) -> None:
        """Write what the call owes so far onto its hold: what a sweep charges if this process dies.
        A call admitted against a lease first moves its reservation into a hold of its own."""
        if owed == self.checkpointed:
            return
        with anyio.CancelScope(shield=True):
            if self.ticket is not None:
                ticket = self.ticket
                item = self.hold.item(ticket.reserve, ticket.at)
                graduated = await anyio.to_thread.run_sync(ticket.graduate, item, self.hold.id)
                if graduated is None:
                    return  # the lease was released: the settlement will take what is owed
                self.admission, self.ticket = graduated, None
            assert self.admission is not None
            if await anyio.to_thread.run_sync(checkpoint, self.admission, owed):
                self.checkpointed = owed

    def answered_by(self, model: str, provider: str, depth: int, requested: str) -> None:
        """Another model of the chain answered: the headers and the usage record say which, and why."""
        self.headers["x-model-used"] = model
        self.record.model, self.record.provider = model, provider
        if depth:
            self.headers["x-fallback-from"] = requested
            self.headers["x-fallback-depth"] = str(depth)
            self.record.fallback_from = requested

    @asynccontextmanager
    async def refund_on_error(self) -> AsyncIterator[None]:
        """Around the upstream call: any failure releases the whole reservation, exactly once."""
        try:
            yield
        except TollwayError as exc:
            await self.refund("upstream_error", exc.status, exc.code)
            exc.headers = self.headers | exc.headers
            raise
        except BaseException:
            # Cancelled (client gone, server stopping): the reservation must not stay held.
            await self.refund("client_disconnected", 499, "client_disconnected")
            raise


async def admit_call(key: str | KeyRef, call: Call) -> Meter:
    ref = key if isinstance(key, KeyRef) else key_ref(key)
    at = time.time() if call.at is None else call.at
    record = UsageRecord(request_id=call.request_id, key_id=ref.id, endpoint=call.endpoint, model=call.model,
                         provider=call.provider, stream=call.stream, started=call.started,
                         reserved_micro=call.reserve, recorded_at=at)
    hold_s = call.hold_s or settings().hold_s
    hold = Hold(call.request_id, hold_s, call.endpoint, call.model)
    begun = time.monotonic()
    lifetime = hold_s - settlement_margin(hold_s)
    if call.hold_s is None:  # operations (which name their own hold) run in the worker, not here
        lifetime = min(lifetime, settings().max_request_s)
    if call.hold_s is None and settings().leases:
        ticket = await book().admit(ref, call.scope, call.reserve, at)
        if ticket is not None:
            headers = {"x-model-used": call.model} | ticket.rate_headers()
            return Meter(record, headers, call.reserve, hold, ticket=ticket, ends_by=begun + lifetime)
    try:
        observe = (lambda item: book().observe(ref, item, at)) if call.hold_s is None else None
        admission = await anyio.to_thread.run_sync(admit, ref, call.scope, call.reserve, at, hold, observe)
    except (InsufficientCredits, RateLimited, PermissionDenied) as exc:
        # The key is genuine (its hash matched): the refusal belongs in its history.
        record.status, record.http_status, record.error_code = "refused", exc.status, exc.code
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(record_refusal, record)
        exc.headers = {"x-model-used": call.model, "x-credits-used": "0"} | exc.headers
        raise
    headers = {"x-model-used": call.model} | admission.rate_headers()
    return Meter(record, headers, call.reserve, hold, admission=admission, ends_by=begun + lifetime)


def _wire_flusher() -> None:
    """Leases are flushed by a thread in long-lived servers (on Lambda, at the end of each invocation)."""
    leases = book()
    leases.on_first_lease = flusher().start
    leases.on_full = flusher().wake


_wire_flusher()
