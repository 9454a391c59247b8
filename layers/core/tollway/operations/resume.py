"""Restart the executions of operations that lost theirs (the local emulator keeps DynamoDB and S3
across a `tollway serve` restart, but not Step Functions).

    resumed = resume_unfinished()     # ["op_…"]: each now has a fresh execution "op_…-r1"

Each unfinished operation gets a new execution named `<id>-r<n>`, which resumes from the record:
a job already upstream is polled, not submitted again; the reservation is the one made at submit
(nothing is admitted twice) and settlement is idempotent. An operation that ended but was not
settled is settled here. Run it only when no execution of these operations can still be alive.
"""

from __future__ import annotations

import logging

from tollway.operations import executions, records
from tollway.operations.billing import settle_operation

log = logging.getLogger("tollway.operations")


def resume_unfinished() -> list[str]:
    resumed = []
    for op in records.unfinished():
        try:
            if op.terminal:
                settle_operation(op)
                continue
            name = f"{op.id}-r{op.restarts + 1}"
            if records.update(op.id, {"execution": name, "restarts": op.restarts + 1}) is None:
                continue  # it ended meanwhile
            executions.start(op.id, name)
            resumed.append(op.id)
        except Exception as exc:  # noqa: BLE001 - one broken record must not keep the others waiting
            log.warning("could not resume %s: %s", op.id, type(exc).__name__)
    return resumed
