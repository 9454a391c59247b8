"""Release reservations whose request never settled (the process died, timed out or lost DynamoDB).

    report = sweep()            # scheduled every few minutes (SweeperFunction in template.yaml)
    report.released             # holds refunded this run

Each expired hold is refunded in full with one transaction that also writes its usage record
(status `expired`), conditional on the hold still being there: a settlement that lands at the same
moment wins or loses cleanly, never both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tollway.aws_clients import client
from tollway.config import settings
from tollway.ledger.admission import PENDING, Admission
from tollway.ledger.settlement import release_hold
from tollway.usage.records import UsageRecord


@dataclass
class SweepReport:
    keys_scanned: int = 0
    released: list[str] = field(default_factory=list)  # hold ids
    refunded_micro: int = 0


def sweep(now: float | None = None) -> SweepReport:
    now = time.time() if now is None else now
    report = SweepReport()
    ddb = client("dynamodb")
    pages = ddb.get_paginator("scan").paginate(
        TableName=settings().keys_table, ProjectionExpression="id, #p",
        FilterExpression="size(#p) > :zero", ExpressionAttributeNames={"#p": PENDING},
        ExpressionAttributeValues={":zero": {"N": "0"}})
    for page in pages:
        for item in page.get("Items", []):
            report.keys_scanned += 1
            key_id = item["id"]["S"]
            for hold_id, hold in item[PENDING]["M"].items():
                fields = hold["M"]
                if int(fields["until"]["N"]) <= now and _release(ddb, key_id, hold_id, fields, now):
                    report.released.append(hold_id)
                    report.refunded_micro += int(fields["amount"]["N"])
    return report


def _release(ddb: Any, key_id: str, hold_id: str, fields: dict[str, Any], now: float) -> bool:
    amount = int(fields["amount"]["N"])
    admission = Admission(key_id=key_id, hold_id=hold_id, reserved=amount, balance_after=0, rpm=0, used=0,
                          stale_windows=(), now=now)
    record = UsageRecord(request_id=hold_id, key_id=key_id, endpoint=fields.get("endpoint", {}).get("S", "?"),
                         model=fields.get("model", {}).get("S", "?"), provider="?", status="expired",
                         http_status=0, error_code="hold_expired", reserved_micro=amount)
    put = {"TableName": settings().usage_table, "Item": record.to_item(now),
           "ConditionExpression": "attribute_not_exists(sk)"}
    try:
        ddb.transact_write_items(TransactItems=[{"Update": release_hold(admission, amount)}, {"Put": put}])
    except ddb.exceptions.TransactionCanceledException:
        return False  # settled (or swept) a moment ago
    return True
