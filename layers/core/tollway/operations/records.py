"""Operation records in DynamoDB (OperationsTable): one item per async job, polled by clients.

    op = Operation.new(key_id, kind="video", endpoint="videos.generations", model="sora-2",
                       provider="openai", reserved=4_000_000, params={"prompt": "a cat"})
    create(op)
    finish(op.id, "succeeded", charge=4_000_000, now=time.time(), result={...})  # None if it lost a race

Every status change is a conditional write whose condition is the transition table below: a job
ends once, so a cancelled operation can never become succeeded, and whoever wins the transition
to a terminal status is the one that settles its reservation. `settled` marks that settlement
happened (settlement itself is idempotent by operation id, see `billing.py`).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import NotFound

Status = Literal["queued", "running", "succeeded", "failed", "cancelled"]
ACTIVE: tuple[Status, ...] = ("queued", "running")
ENDED: tuple[Status, ...] = ("succeeded", "failed", "cancelled")
TERMINAL: frozenset[str] = frozenset(ENDED)
# Which statuses each status may be reached from: only active jobs move, terminal ones never do.
SOURCES: dict[Status, tuple[Status, ...]] = {
    "running": ACTIVE, "succeeded": ACTIVE, "failed": ACTIVE, "cancelled": ACTIVE,
}
RETENTION_S = 30 * 86_400  # records expire (DynamoDB TTL) a month after they were created

# Stored as JSON strings: small, schemaless, and the same in and out.
_JSON_FIELDS = ("params", "output_ref", "result", "error", "webhook")


# New operations are `aiop_…`; ids written before (`op_…`) keep working wherever an id is read.
ID_PREFIX = "aiop_"
ID_PREFIXES = ("aiop_", "op_")


def new_operation_id() -> str:
    return ID_PREFIX + secrets.token_hex(12)


def is_operation_id(op_id: str) -> bool:
    """Shaped like an operation id (new or old): anything else is answered as missing, unread."""
    return op_id.startswith(ID_PREFIXES) and len(op_id) <= 64


def can_move(current: str, target: Status) -> bool:
    return current in SOURCES.get(target, ())


@dataclass
class Operation:
    id: str
    key_id: str
    kind: str
    endpoint: str  # the usage record's name for the surface: "videos.generations", …
    model: str
    provider: str
    reserved: int  # micro-credits held on the key until settlement
    params: dict[str, Any]
    created_at: float
    status: Status = "queued"
    updated_at: float = 0.0
    webhook_url: str | None = None
    execution: str | None = None  # the current Step Functions execution's name
    restarts: int = 0
    upstream_id: str | None = None
    output_ref: dict[str, Any] | None = None  # where the upstream left the output
    progress: int | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    charged: int | None = None
    finished_at: float | None = None
    settled: bool = False
    webhook: dict[str, Any] | None = None  # the delivery outcome
    expires_at: int = field(default=0)

    @classmethod
    def new(cls, key_id: str, *, kind: str, endpoint: str, model: str, provider: str, reserved: int,
            params: dict[str, Any], webhook_url: str | None = None, now: float | None = None,
            op_id: str | None = None) -> Operation:
        now = time.time() if now is None else now
        op_id = op_id or new_operation_id()
        return cls(id=op_id, key_id=key_id, kind=kind, endpoint=endpoint, model=model, provider=provider,
                   reserved=reserved, params=params, created_at=now, updated_at=now, webhook_url=webhook_url,
                   execution=op_id, expires_at=int(now) + RETENTION_S)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def to_item(self) -> dict[str, Any]:
        return {name: _attribute(name, value) for name, value in asdict(self).items() if value is not None}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Operation:
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in item:
                values[f.name] = _value(f.name, item[f.name])
        return cls(**values)


def _attribute(name: str, value: Any) -> dict[str, Any]:
    if name in _JSON_FIELDS:
        return {"S": json.dumps(value, separators=(",", ":"))}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": repr(value) if isinstance(value, float) else str(value)}
    return {"S": str(value)}


def _value(name: str, attribute: dict[str, Any]) -> Any:
    (kind, raw), = attribute.items()
    if name in _JSON_FIELDS:
        return json.loads(raw)
    if kind == "N":
        return float(raw) if any(c in raw for c in ".eE") else int(raw)
    return raw


def _table() -> str:
    return settings().operations_table


def create(op: Operation) -> None:
    client("dynamodb").put_item(TableName=_table(), Item=op.to_item(),
                                ConditionExpression="attribute_not_exists(id)")


def missing(op_id: str) -> NotFound:
    return NotFound(f"No operation {op_id[:64]!r}", code="operation_not_found")


def load(op_id: str) -> Operation:
    item = client("dynamodb").get_item(TableName=_table(), Key={"id": {"S": op_id}},
                                       ConsistentRead=True).get("Item")
    if item is None:
        raise missing(op_id)
    return Operation.from_item(item)


def load_for_key(op_id: str, key_id: str) -> Operation:
    """Another key's operation is answered exactly like a missing one: ids reveal nothing."""
    if not is_operation_id(op_id):
        raise missing(op_id)
    op = load(op_id)
    if op.key_id != key_id:
        raise missing(op_id)
    return op


def update(op_id: str, changes: dict[str, Any], *, when: tuple[Status, ...] = ACTIVE,
           condition: str | None = None) -> Operation | None:
    """SET `changes` if the status is one of `when` (and `condition` holds); the new record, or None."""
    changes = {**changes, "updated_at": time.time()}
    names = {"#status": "status"} | {f"#f{i}": name for i, name in enumerate(changes)}
    values = {f":v{i}": _attribute(name, value) for i, (name, value) in enumerate(changes.items())}
    values |= {f":w{i}": {"S": status} for i, status in enumerate(when)}
    sets = ", ".join(f"#f{i} = :v{i}" for i in range(len(changes)))
    allowed = f"#status IN ({', '.join(f':w{i}' for i in range(len(when)))})"
    ddb = client("dynamodb")
    try:
        result = ddb.update_item(
            TableName=_table(), Key={"id": {"S": op_id}}, UpdateExpression=f"SET {sets}",
            ConditionExpression=f"attribute_exists(id) AND {allowed}" + (f" AND ({condition})" if condition else ""),
            ExpressionAttributeNames=names, ExpressionAttributeValues=values, ReturnValues="ALL_NEW")
    except ddb.exceptions.ConditionalCheckFailedException:
        return None
    return Operation.from_item(result["Attributes"])


def move(op_id: str, target: Status, changes: dict[str, Any] | None = None) -> Operation | None:
    """The status transition `target` (with `changes`), if the table allows it from the current status."""
    return update(op_id, {**(changes or {}), "status": target}, when=SOURCES[target])


def finish(op_id: str, status: Status, *, charge: int, now: float, result: dict[str, Any] | None = None,
           error: dict[str, Any] | None = None) -> Operation | None:
    """End the operation (succeeded, failed or cancelled) with the charge settlement will make."""
    assert status in TERMINAL
    changes: dict[str, Any] = {"charged": charge, "finished_at": now, "settled": False}
    if result is not None:
        changes["result"] = result
    if error is not None:
        changes["error"] = error
    if status == "succeeded":
        changes["progress"] = 100
    return move(op_id, status, changes)


def mark_settled(op_id: str) -> None:
    update(op_id, {"settled": True}, when=ENDED)


def record_webhook(op_id: str, outcome: dict[str, Any]) -> None:
    update(op_id, {"webhook": outcome}, when=ENDED)


def unfinished() -> list[Operation]:
    """Operations still running, or ended but not yet settled (a scan: for restarts, not requests)."""
    pages = client("dynamodb").get_paginator("scan").paginate(
        TableName=_table(), ConsistentRead=True,
        FilterExpression="#status IN (:q, :r) OR settled = :no",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":q": {"S": "queued"}, ":r": {"S": "running"}, ":no": {"BOOL": False}})
    return [Operation.from_item(item) for page in pages for item in page.get("Items", [])]


KEY_INDEX = "KeyOperations"


def recent_of_key(key_id: str, limit: int = 50) -> list[Operation]:
    """The key's newest operations (the OperationsTable's KeyOperations index: key_id, created_at)."""
    items = client("dynamodb").query(
        TableName=_table(), IndexName=KEY_INDEX, KeyConditionExpression="key_id = :k",
        ExpressionAttributeValues={":k": {"S": key_id}}, ScanIndexForward=False, Limit=limit).get("Items", [])
    return [Operation.from_item(item) for item in items]
