"""The operations worker: the one Lambda task of statemachines/operation.asl.json, one action per
state (submit → wait → poll → … → store → notify, and fail from every Catch).

    handle({"action": "poll", "operation_id": "op_…"})
    # {"operation_id": "op_…", "next": "wait", "wait_s": 10}   — the state machine's next move

Every action reads the record first and is safe to run twice: a job that has an upstream id is
never submitted again (an execution restarted after `tollway serve` restarts resumes polling), an
ended job only gets settled (if that was missed) and notified, and every status change is a
conditional write, so a job cancelled meanwhile is neither overwritten nor charged.

Errors tell the state machine what to do: `OperationFailed` is final (no retry: Catch → fail),
`UpstreamUnavailable` is retried with backoff, anything else is retried a few times, then failed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import IO, Any, Literal, TypeVar

from tollway.catalog import resolve
from tollway.config import settings
from tollway.errors import TollwayError
from tollway.operations import records, results
from tollway.operations.billing import settle_operation
from tollway.operations.kinds import Kind, operation_kind, result_name
from tollway.operations.records import Operation
from tollway.providers.jobs import JobStatus
from tollway.providers.redaction import clipped

log = logging.getLogger("tollway.operations")
T = TypeVar("T")
INTERNAL = {"code": "internal_error", "message": "The operation failed inside the gateway", "status": 500}


class OperationFailed(Exception):
    """The job cannot succeed (the upstream refused or failed it): no retry."""


class UpstreamUnavailable(Exception):
    """The upstream is unreachable, slow or overloaded for now: the state machine retries."""


@dataclass(frozen=True)
class Step:
    next: Literal["wait", "store", "notify", "end"]
    wait_s: int = 0


def handle(event: dict[str, Any]) -> dict[str, Any]:
    action, op_id = event.get("action"), event.get("operation_id")
    if action not in _ACTIONS or not isinstance(op_id, str):
        raise ValueError("expected {'action': submit|poll|store|fail|notify, 'operation_id': ...}")
    step = asyncio.run(_ACTIONS[action](op_id, event))
    return {"operation_id": op_id, "next": step.next, "wait_s": step.wait_s}


def _wait() -> Step:
    return Step("wait", settings().operation_poll_s)


async def _load(op_id: str) -> Operation:
    return await asyncio.to_thread(records.load, op_id)


async def _ended(op: Operation) -> Step | None:
    """For an operation that already ended: settle it if that was missed, then notify (once)."""
    if not op.terminal:
        return None
    if not op.settled:
        await asyncio.to_thread(settle_operation, op)
    return Step("end") if op.status == "cancelled" else Step("notify")


async def _upstream(op: Operation, call: Awaitable[T]) -> T:
    """Run an upstream call, sorting its failure into final (recorded on the operation) or transient."""
    try:
        return await call
    except TollwayError as exc:
        if exc.status in (429, 500, 502, 503, 504):
            raise UpstreamUnavailable(exc.message) from None
        await _record_failure(op, exc.code, exc.message, exc.status, units=exc.units_done)
        raise OperationFailed(exc.message) from None


async def _record_failure(op: Operation, code: str | None, message: str | None, status: int = 502, *,
                          units: int = 0) -> None:
    """`units`: billable work the job did before it failed (a parse's pages), charged when it ends."""
    # The message may carry an upstream's words: redacted once more here, where every failure is kept.
    error: dict[str, Any] = {"code": clipped(code or "upstream_error", limit=64),
                             "message": clipped(message or "The job failed upstream"), "status": status}
    if units:
        error["units"] = units
    await asyncio.to_thread(records.update, op.id, {"error": error})


async def _resume(op_id: str) -> tuple[Operation, Step | None]:
    """The record, and where it already is if that decides the next step (ended, or output ready)."""
    op = await _load(op_id)
    if (ended := await _ended(op)) is not None:
        return op, ended
    return op, Step("store") if op.output_ref is not None else None


async def _submit(op_id: str, event: dict[str, Any]) -> Step:
    op, step = await _resume(op_id)
    if step is not None:
        return step
    if op.upstream_id is not None:
        return _wait()  # resumed after a restart: the job is already upstream
    # Running from now on: a synchronous upstream (or a long parse) may take minutes in this step.
    if await asyncio.to_thread(records.move, op.id, "running") is None:
        return await _ended(await _load(op.id)) or Step("end")
    kind = operation_kind(op.kind)
    return await _advance(op, kind, await _upstream(op, kind.submit(op)))


async def _poll(op_id: str, event: dict[str, Any]) -> Step:
    op, step = await _resume(op_id)
    if step is not None:
        return step
    kind = operation_kind(op.kind)
    if op.upstream_id is None:
        return await _advance(op, kind, await _upstream(op, kind.submit(op)))
    if time.time() - op.created_at > settings().operation_max_s:
        await _quietly(kind.cancel(op))
        await _record_failure(op, "timed_out", f"The job did not finish within {settings().operation_max_s} s",
                              504)
        raise OperationFailed("timed out")
    return await _advance(op, kind, await _upstream(op, kind.poll(op)))


async def _advance(op: Operation, kind: Kind, status: JobStatus) -> Step:
    if status.state == "failed":
        await _record_failure(op, status.code, status.message)
        raise OperationFailed(status.message or "failed upstream")
    if status.content is not None:
        data = results.spool()
        data.write(status.content)
        return await _finish(op, kind, data, status.content_type or "application/octet-stream", status.units,
                             status.charge)
    changes: dict[str, Any] = {"upstream_id": status.upstream_id}
    if status.progress is not None:
        changes["progress"] = status.progress
    if status.state == "succeeded":
        changes["output_ref"] = {**(status.output or {}), **({"units": status.units} if status.units else {})}
    moved = await asyncio.to_thread(records.move, op.id, "running", changes)
    if moved is None:  # cancelled meanwhile: the job we just started must not run on unpaid
        await _quietly(kind.cancel(Operation(**{**op.__dict__, **changes})))
        return await _ended(await _load(op.id)) or Step("end")
    return Step("store") if status.state == "succeeded" else _wait()


async def _store(op_id: str, event: dict[str, Any]) -> Step:
    op = await _load(op_id)
    if (ended := await _ended(op)) is not None:
        return ended
    kind = operation_kind(op.kind)
    data = results.spool()
    content_type = await _upstream(op, kind.download(op, data, results.MAX_RESULT_BYTES))
    units = (op.output_ref or {}).get("units")
    return await _finish(op, kind, data, content_type, units if isinstance(units, int) else None)


async def _finish(op: Operation, kind: Kind, data: IO[bytes], content_type: str, units: int | None,
                  used: int | None = None) -> Step:
    """Keep the result in S3 (and where `result_destination` said), end the operation as succeeded
    with its charge, settle it. `used`: the µc a job priced by use (tokens) reported."""
    name = results.object_key(op.key_id, op.id, result_name(kind.result_stem, content_type))
    with data:
        size = await asyncio.to_thread(results.put_file, name, data, content_type)
    spec = resolve(op.model, op.kind)  # type: ignore[arg-type]
    charge = op.reserved if spec is None or units is None else min(op.reserved, spec.unit_cost(units))
    if used is not None:
        charge = min(op.reserved, used)
    result: dict[str, Any] = {"s3_key": name, "content_type": content_type, "bytes": size}
    if units is not None and spec is not None:
        result["units"], result["unit"] = units, spec.unit
    destination = op.params.get("result_destination")
    if isinstance(destination, dict):
        result["destination"] = await asyncio.to_thread(_write_destination, op.key_id, destination, name,
                                                        content_type)
    ended = await asyncio.to_thread(lambda: records.finish(op.id, "succeeded", charge=charge, now=time.time(),
                                                           result=result))
    if ended is None:  # cancelled while we stored: nothing to keep, nothing to charge
        await asyncio.to_thread(results.delete_quietly, name)
        return await _ended(await _load(op.id)) or Step("end")
    await asyncio.to_thread(settle_operation, ended)
    await asyncio.to_thread(results.discard_input, op.params)
    return Step("notify")


def _write_destination(key_id: str, destination: dict[str, Any], source: str, content_type: str) -> dict[str, Any]:
    """Copy the result into the key's own storage; a failure there is reported, not fatal: the result
    is still kept with the operation."""
    from tollway.storage.refs import copy_to_output, storage_ref

    shown = {"bucket_id": destination.get("bucket_id"), "key": destination.get("key")}
    try:
        copy_to_output(key_id, storage_ref(shown, param="result_destination", writable=True), source, content_type)
    except Exception as exc:  # noqa: BLE001 - the job succeeded; only the copy did not
        log.warning("could not write a result destination: %s", type(exc).__name__)
        return shown | {"written": False}
    return shown | {"written": True}


async def _fail(op_id: str, event: dict[str, Any]) -> Step:
    """From a Catch: end the operation as failed and refund the reservation, but for the work the
    failure recorded (`units`)."""
    op = await _load(op_id)
    if (ended := await _ended(op)) is not None:
        return ended
    error = op.error or _caught(event.get("error"))
    units, spec = error.get("units"), resolve(op.model, op.kind)  # type: ignore[arg-type]
    charge = min(op.reserved, spec.unit_cost(units)) if isinstance(units, int) and spec is not None else 0
    finished = await asyncio.to_thread(lambda: records.finish(op.id, "failed", charge=charge, now=time.time(),
                                                              error=error))
    if finished is None:
        return await _ended(await _load(op_id)) or Step("end")
    await asyncio.to_thread(settle_operation, finished)
    await asyncio.to_thread(results.discard_input, op.params)
    return Step("notify")


def _caught(error: Any) -> dict[str, Any]:
    """The Catch's {"Error", "Cause"}: only our own transient-failure messages are shown to clients."""
    if not isinstance(error, dict) or error.get("Error") != "UpstreamUnavailable":
        log.warning("operation failed with %s", error.get("Error") if isinstance(error, dict) else "?")
        return INTERNAL
    try:
        message = json.loads(error.get("Cause") or "{}").get("errorMessage")
    except (ValueError, AttributeError):
        message = None
    return {"code": "upstream_error", "message": clipped(f"The upstream kept failing: {message or 'unavailable'}"),
            "status": 502}


async def _notify(op_id: str, event: dict[str, Any]) -> Step:
    op = await _load(op_id)
    if not op.webhook_url or op.webhook is not None or op.status == "cancelled" or not op.terminal:
        return Step("end")
    from tollway.operations.views import operation_json
    from tollway.operations.webhook_secret import webhook_secret
    from tollway.operations.webhooks import deliver

    payload = await asyncio.to_thread(operation_json, op)
    delivery = await deliver(op.webhook_url, payload, webhook_secret(op.key_id).encode(),
                             allow_private=settings().webhooks_allow_private, webhook_id=f"wh_{op.id}")
    outcome = {"id": delivery.webhook_id, "delivered": delivery.delivered, "attempts": delivery.attempts,
               "status": delivery.status, "error": delivery.error}
    await asyncio.to_thread(records.record_webhook, op.id, outcome)
    return Step("end")


async def _quietly(call: Awaitable[None]) -> None:
    """Best effort (an upstream cancel): its failure must not change the operation's outcome."""
    try:
        await call
    except Exception as exc:  # noqa: BLE001
        log.info("best-effort upstream call failed: %s", type(exc).__name__)


_ACTIONS = {"submit": _submit, "poll": _poll, "store": _store, "fail": _fail, "notify": _notify}
