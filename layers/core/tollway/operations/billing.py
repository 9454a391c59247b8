"""Settling an operation: the same ledger as chat, from a record instead of a live request.

    op = records.finish(op_id, "succeeded", charge=4_000_000, now=time.time(), result=...)
    if op is not None:          # this process won the transition, so it settles
        settle_operation(op)    # charge, refund the rest, release the hold, write the usage record

An operation is admitted by the API function (its reservation is a hold named by the operation id)
and settled by whichever process ends it — the worker Lambda, or the API on cancel — so the
`Admission` is rebuilt from the record. The usage record is dated by the operation's creation (its admission), which makes a retried
settlement write the same item and be recognised as already done; the hold's condition makes sure
the balance moves once either way.
"""

from __future__ import annotations

from tollway.ledger.holds import Admission
from tollway.ledger.settlement import settle
from tollway.operations import records
from tollway.operations.records import Operation
from tollway.usage.records import UsageRecord

# Operation status → usage record status and the HTTP status a synchronous call would have had.
_OUTCOMES: dict[str, tuple[str, int]] = {"succeeded": ("ok", 200), "failed": ("failed", 502),
                                         "cancelled": ("cancelled", 499)}


def admission_of(op: Operation) -> Admission:
    return Admission(key_id=op.key_id, hold_id=op.id, reserved=op.reserved, balance_after=0, rpm=0, used=0,
                     stale_windows=(), now=op.created_at)


def usage_of(op: Operation) -> UsageRecord:
    status, http_status = _OUTCOMES[op.status]
    error = op.error or {}
    finished = op.finished_at if op.finished_at is not None else op.updated_at
    return UsageRecord(request_id=op.id, key_id=op.key_id, endpoint=op.endpoint, model=op.model,
                       provider=op.provider, status=status, http_status=int(error.get("status") or http_status),
                       error_code=error.get("code") if op.status != "succeeded" else None,
                       reserved_micro=op.reserved, latency_ms=max(0, int((finished - op.created_at) * 1000)),
                       recorded_at=op.created_at)


def settle_operation(op: Operation) -> int:
    """Charge the ended operation's `charged` and record it, once."""
    if not op.terminal or op.charged is None:
        raise ValueError(f"operation {op.id} has not ended")
    charged = settle(admission_of(op), op.charged, usage_of(op))
    records.mark_settled(op.id)
    return charged
