"""What the console shows, as JSON (its API) and as the values its pages render: keys, sessions,
passkeys, usage records, operations. Secrets never appear here: a key is shown by its id and name,
and its secret only once, in the answer that made it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tollway.auth.passkeys import Passkey
from tollway.auth.sessions import Session
from tollway.auth.store import KeyRecord
from tollway.ledger.money import credits_json
from tollway.operations.records import Operation
from tollway.usage.summary import Day, ModelTotal


def iso(at: float | None) -> str | None:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if at else None


def key_view(record: KeyRecord) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "prefix": f"sk-tw-{record.id}…", "scopes": list(record.scopes),
            "rpm": record.rpm, "cap": credits_json(record.cap_micro) if record.cap_micro is not None else None,
            "spent": credits_json(record.spent_micro), "device": record.device, "created_at": record.created_at,
            "revoked_at": record.revoked_at}


def session_view(session: Session, current: Session | None) -> dict[str, Any]:
    return {"id": session.id, "created_at": iso(session.created_at), "last_seen": iso(session.last_seen),
            "expires_at": iso(session.expires_at), "ip": session.ip, "user_agent": session.user_agent,
            "current": current is not None and session.id == current.id}


def passkey_view(passkey: Passkey) -> dict[str, Any]:
    return {"id": passkey.credential_id, "name": passkey.name, "created_at": passkey.created_at,
            "last_used_at": passkey.last_used_at, "backed_up": passkey.backed_up,
            "transports": list(passkey.transports)}


_RECORD_FIELDS = ("request_id", "key_id", "endpoint", "model", "provider", "stream", "tokens_in", "tokens_out",
                  "status", "http_status", "latency_ms", "error_code", "fallback_from")


def record_view(record: dict[str, Any], key_names: dict[str, str]) -> dict[str, Any]:
    shown = {name: record.get(name) for name in _RECORD_FIELDS}
    return shown | {"at": iso(float(record["at"])), "key_name": key_names.get(str(record.get("key_id")), ""),
                    "credits": credits_json(int(record.get("credits_micro") or 0)),
                    "credits_reserved": credits_json(int(record.get("reserved_micro") or 0))}


def model_total_view(total: ModelTotal) -> dict[str, Any]:
    return {"model": total.model, "requests": total.requests, "errors": total.errors,
            "credits": credits_json(total.credits_micro), "tokens_in": total.tokens_in, "tokens_out": total.tokens_out}


def day_view(day: Day) -> dict[str, Any]:
    return {"date": day.date, "requests": day.requests, "errors": day.errors, "credits": credits_json(day.credits_micro),
            "models": [model_total_view(m) for m in sorted(day.models.values(), key=lambda m: m.model)]}


def operation_view(op: Operation, key_names: dict[str, str]) -> dict[str, Any]:
    """The operation as its API shows it (result URL included), plus which key started it."""
    from tollway.operations.views import operation_json

    return operation_json(op) | {"key_id": op.key_id, "key_name": key_names.get(op.key_id, "")}
