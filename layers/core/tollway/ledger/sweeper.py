"""Release reservations whose request never settled (the process died, or lost DynamoDB).

    report = sweep()            # scheduled every few minutes (SweeperFunction in template.yaml)
    report.released             # holds released this run

Each expired hold is released with one transaction that also writes its usage record (status
`expired`), conditional on the hold still being there: a settlement that lands at the same moment
wins or loses cleanly, never both. Expired prepaid leases (lease_store.py) are released the same way:
the charges of the batches their process wrote are applied, the rest goes back to the balance. The sweep charges what the request checkpointed onto its hold
(`charged`: what a long stream had delivered) and refunds the rest; the record is written at the
item the request's own settlement would write (dated by the admission time), so a settlement that
arrives after the sweep finds it and charges only the difference (see settlement.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tollway.aws_clients import client
from tollway.config import settings
from tollway.ledger.accounts import cap_refund
from tollway.ledger.holds import PENDING, Admission
from tollway.ledger.lease_store import LEASES, forget_tombstone, release_abandoned
from tollway.ledger.settlement import EXPIRED, release_hold
from tollway.usage.records import UsageRecord
from tollway.usage.store import single_item


@dataclass
class SweepReport:
    keys_scanned: int = 0
    released: list[str] = field(default_factory=list)  # hold ids
    refunded_micro: int = 0
    charged_micro: int = 0
    leases_released: list[str] = field(default_factory=list)


def sweep(now: float | None = None) -> SweepReport:
    now = time.time() if now is None else now
    report = SweepReport()
    ddb = client("dynamodb")
    pages = ddb.get_paginator("scan").paginate(
        TableName=settings().keys_table, ProjectionExpression="id, #p, #ls",
        FilterExpression="size(#p) > :zero OR size(#ls) > :zero", ExpressionAttributeNames={"#p": PENDING, "#ls": LEASES},
        ExpressionAttributeValues={":zero": {"N": "0"}})
    for page in pages:
        for item in page.get("Items", []):
            report.keys_scanned += 1
            key_id = item["id"]["S"]
            _sweep_leases(key_id, item.get(LEASES, {}).get("M", {}), now, report)
            for hold_id, hold in item.get(PENDING, {}).get("M", {}).items():
                fields = hold["M"]
                if int(fields["until"]["N"]) <= now and _release(ddb, key_id, hold_id, fields, now):
                    charged = _number(fields, "charged")
                    report.released.append(hold_id)
                    report.refunded_micro += _number(fields, "amount") - charged
                    report.charged_micro += charged
    return report


def _sweep_leases(key_id: str, leases: dict[str, Any], now: float, report: SweepReport) -> None:
    """Expired leases of dead (or long frozen) processes: their batches' charges applied, the rest given
    back, a tombstone left for a process that comes back; tombstones past their time forgotten."""
    for lease_id, entry in leases.items():
        fields = entry["M"]
        if int(fields.get("until", {}).get("N", 0)) > now:
            continue
        if "released" in fields:
            forget_tombstone(key_id, lease_id)
            continue
        returned = release_abandoned(key_id, lease_id, fields, now)
        if returned is not None:
            report.leases_released.append(lease_id)
            report.refunded_micro += returned


def _number(fields: dict[str, Any], name: str) -> int:
    return int(fields.get(name, {}).get("N", 0))


def _release(ddb: Any, key_id: str, hold_id: str, fields: dict[str, Any], now: float) -> bool:
    amount, charged = _number(fields, "amount"), _number(fields, "charged")
    admitted = float(fields["at"]["N"]) if "at" in fields else now
    # On an account's item, the hold names the key the request came with.
    request_key = fields.get("key", {}).get("S", key_id)
    admission = Admission(key_id=request_key, hold_id=hold_id, reserved=amount, balance_after=0, rpm=0, used=0,
                          stale_windows=(), now=admitted, balance_item=key_id,
                          capped=fields.get("capped", {}).get("BOOL", False))
    record = UsageRecord(request_id=hold_id, key_id=request_key, endpoint=fields.get("endpoint", {}).get("S", "?"),
                         model=fields.get("model", {}).get("S", "?"), provider="?", status=EXPIRED,
                         http_status=0, error_code="hold_expired", reserved_micro=amount, credits_micro=charged,
                         recorded_at=admitted)
    put = {"TableName": settings().usage_table, "Item": single_item(record),
           "ConditionExpression": "attribute_not_exists(sk)"}
    transaction = [{"Update": release_hold(admission, amount - charged)}, {"Put": put}]
    refund_cap = cap_refund(admission, amount - charged)
    if refund_cap is not None:
        transaction.append(refund_cap)
    try:
        ddb.transact_write_items(TransactItems=transaction)
    except ddb.exceptions.TransactionCanceledException:
        return False  # settled (or swept) a moment ago
    return True
