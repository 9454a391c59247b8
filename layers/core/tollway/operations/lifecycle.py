"""What the API does with operations: open one (admit, record, start its execution), read one,
cancel one. The worker (`worker.py`) does everything in between.

    op, headers = await open_operation(caller, order)          # 202 at once: the job runs in Step Functions
    op = await read_operation(caller, "op_…", kind="video")    # 404 for another key's operation
    op = await cancel_operation(caller, "op_…")                # stopped, cancelled, reservation released

Opening reserves the order's worst-case cost as a hold named by the operation id, valid for
TOLLWAY_OPERATION_HOLD_SECONDS (longer than any job), so the sweeper only ever refunds an operation
that was truly abandoned.
"""

from __future__ import annotations

import dataclasses
import logging
import time

import anyio

from tollway.auth.caller import Caller
from tollway.config import settings
from tollway.errors import Conflict, InvalidRequest, TollwayError
from tollway.ledger import Call, admit_call
from tollway.ledger.money import format_credits
from tollway.operations import executions, records, results
from tollway.operations.billing import settle_operation
from tollway.operations.kinds import Order, operation_kind
from tollway.operations.records import Operation

GENERATE, READ = "ai:generate", "ai:read"
NOT_STARTED_CODE = "operation_not_started"
NOT_STARTED = {"code": NOT_STARTED_CODE, "message": "The gateway could not start the operation", "status": 500}
log = logging.getLogger("tollway.operations")


async def check_webhook(caller: Caller, url: str | None) -> None:
    """A webhook URL the gateway would refuse to call is a 400 now, not a silent failure later.
    Checked for a valid key only: nobody else gets the gateway to resolve host names for them."""
    if url is None:
        return
    from tollway.operations.destination import check_destination
    from tollway.operations.webhook_secret import require_configured

    await caller.verified(GENERATE)
    require_configured()
    await anyio.to_thread.run_sync(lambda: check_destination(url, allow_private=settings().webhooks_allow_private))


async def topic_url(caller: Caller, topic: str) -> str:
    """The URL the key registered for `topic`; a 400 naming webhook_topic if it registered none.
    Asked for a verified key only: nobody else learns which topics a key has."""
    from tollway.operations.webhook_topics import url_for

    record = await caller.verified(GENERATE)
    url = await anyio.to_thread.run_sync(url_for, record.id, topic)
    if url is None:
        raise InvalidRequest(f"webhook_topic: this key has registered no topic {topic!r} (POST /v1/webhooks)",
                             code="unknown_webhook_topic", param="webhook_topic")
    return url


async def open_operation(caller: Caller, order: Order) -> tuple[Operation, dict[str, str]]:
    ref = caller.ref
    if order.webhook_topic is not None:
        order = dataclasses.replace(order, webhook_url=await topic_url(caller, order.webhook_topic))
    await check_webhook(caller, order.webhook_url)
    op = Operation.new(ref.id, kind=order.kind, endpoint=order.endpoint, model=order.model,
                       provider=order.provider, reserved=order.reserve, params=dict(order.params),
                       webhook_url=order.webhook_url)
    if order.upload is not None:
        op.params["input_key"] = results.object_key(ref.id, op.id, "input")
    meter = await admit_call(ref, Call(scope=GENERATE, endpoint=order.endpoint, model=order.model,
                                       provider=order.provider, reserve=order.reserve, request_id=op.id,
                                       hold_s=settings().operation_hold_s, at=op.created_at))
    try:
        await anyio.to_thread.run_sync(_start, op, order)
    except BaseException:
        # Nothing runs: release the reservation and make sure no restart ever picks the record up.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_abandon, op.id)
            await meter.refund("not_started", 500, NOT_STARTED_CODE)
        raise
    return op, meter.headers | {"x-credits-reserved": format_credits(order.reserve), "x-credits-used": "0"}


def _start(op: Operation, order: Order) -> None:
    if order.upload is not None:
        results.put_bytes(op.params["input_key"], order.upload, order.upload_type)
    records.create(op)
    executions.start(op.id, op.id)


def _abandon(op_id: str) -> None:
    try:
        if records.finish(op_id, "failed", charge=0, now=time.time(), error=NOT_STARTED) is not None:
            records.mark_settled(op_id)  # the caller refunds through its meter
    except Exception as exc:  # noqa: BLE001 - the original failure is what the client must hear about
        log.warning("could not mark an unstarted operation failed: %s", type(exc).__name__)


async def read_operation(caller: Caller, op_id: str, kind: str | None = None, scope: str = READ) -> Operation:
    record = await caller.verified(scope)
    op = await anyio.to_thread.run_sync(records.load_for_key, op_id, record.id)
    if kind is not None and op.kind != kind:
        raise records.missing(op_id)
    return op


async def cancel_operation(caller: Caller, op_id: str) -> Operation:
    return await cancel_loaded(await read_operation(caller, op_id, scope=GENERATE))


async def cancel_loaded(op: Operation) -> Operation:
    """Cancel an operation its caller has already shown to be theirs (a key's, or a console user's)."""
    if op.terminal:
        raise _finished(op)
    error = {"code": "cancelled", "message": "Cancelled by the client", "status": 499}
    ended = await anyio.to_thread.run_sync(
        lambda: records.finish(op.id, "cancelled", charge=0, now=time.time(), error=error))
    if ended is None:  # it ended a moment ago
        raise _finished(await anyio.to_thread.run_sync(records.load, op.id))
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(_stop_quietly, ended.execution or ended.id)
        await anyio.to_thread.run_sync(settle_operation, ended)
        await anyio.to_thread.run_sync(results.discard_input, ended.params)
        await _cancel_upstream(ended)
    return await anyio.to_thread.run_sync(records.load, op.id)


def _finished(op: Operation) -> Conflict:
    return Conflict(f"The operation has already {op.status}; only a queued or running operation can be "
                    "cancelled", code="operation_finished")


def _stop_quietly(execution: str) -> None:
    try:
        executions.stop(execution)
    except Exception as exc:  # noqa: BLE001 - the cancel stands: every later step sees the status and ends
        log.warning("could not stop execution: %s", type(exc).__name__)


async def _cancel_upstream(op: Operation) -> None:
    try:
        with anyio.fail_after(10):
            await operation_kind(op.kind).cancel(op)
    except (TollwayError, TimeoutError, OSError) as exc:
        log.info("upstream cancel of %s failed: %s", op.id, type(exc).__name__)
