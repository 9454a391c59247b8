"""Operations as the API offers them: start a job (202 with the operation), read one, cancel one;
OpenAI's videos API on the same operations; each key's webhook signing secret.

    reply = await start_job(caller, "video", {"model": "sora-2", "prompt": "a cat surfing"})
    reply.status, reply.body["status"]        # 202, "queued": the job runs in Step Functions
    reply = await show_operation(caller, "op_…")

A model or provider the job cannot run on is told only to a valid key (401/403 first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.config import settings
from tollway.endpoints.reply import Reply
from tollway.endpoints.storage_inputs import with_storage_ref
from tollway.errors import Conflict, ModelNotFound, NotFound, NotImplementedYet, ProviderNotConfigured
from tollway.operations import lifecycle, results
from tollway.operations.delivery import Delivery, split_delivery
from tollway.operations.kinds import Order, operation_kind
from tollway.operations.records import Operation
from tollway.operations.views import operation_json, video_json
from tollway.wire.media_types import Blob


async def start_job(caller: Caller, kind: str, body: dict[str, Any]) -> Reply:
    """202 with the operation: the job runs in Step Functions, the client polls GET /v1/operations/{id}.
    `webhook_topic` and `result_destination` (operations/delivery.py) work for every kind."""
    body, delivery = split_delivery(body)
    op, headers = await _open(caller, lambda: operation_kind(kind).order(body), delivery)
    return Reply(headers, body=operation_json(op), status=202)


async def start_upload_job(caller: Caller, kind: str, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    """The same for a job whose input is an upload (an audio file to transcribe): it waits in S3."""
    upload_kind = operation_kind(kind)  # NotFound for a kind this gateway does not run
    fields, delivery = split_delivery(fields)
    fields, files = await with_storage_ref(caller, fields, files, "file")
    op, headers = await _open(caller, lambda: upload_kind.order_upload(fields, files),  # type: ignore[attr-defined]
                              delivery)
    return Reply(headers, body=operation_json(op), status=202)


async def _open(caller: Caller, order: Callable[[], Order], delivery: Delivery) -> tuple[Operation, dict[str, str]]:
    try:
        priced = order()
    except (ModelNotFound, ProviderNotConfigured, NotImplementedYet) as exc:
        raise await caller.refusal(lifecycle.GENERATE, exc) from None
    return await lifecycle.open_operation(caller, delivery.onto(priced))


async def show_operation(caller: Caller, op_id: str, kind: str | None = None) -> Reply:
    op = await lifecycle.read_operation(caller, op_id, kind)
    return Reply(_poll_hint(op), body=await anyio.to_thread.run_sync(operation_json, op))


async def cancel_operation(caller: Caller, op_id: str) -> Reply:
    return Reply(body=operation_json(await lifecycle.cancel_operation(caller, op_id)))


async def webhook_secret(caller: Caller) -> Reply:
    from tollway.operations.webhook_secret import webhook_secret as secret_for

    record = await caller.verified("ai:read")
    return Reply(body={"object": "webhook_secret", "secret": secret_for(record.id), "algorithm": "HMAC-SHA256",
                       "header": "Tollway-Signature"})


def _poll_hint(op: Operation) -> dict[str, str]:
    """What the OpenAI SDK's poll helper reads to pace itself."""
    return {} if op.terminal else {"openai-poll-after-ms": str(settings().operation_poll_s * 1000)}


# -- OpenAI's videos API (POST /v1/videos, GET /v1/videos/{id}, GET /v1/videos/{id}/content) -------


async def create_video(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    if files:
        raise NotImplementedYet("input_reference: reference images are not supported by this gateway yet",
                                param=next(iter(files)))
    fields, delivery = split_delivery(fields)
    op, headers = await _open(caller, lambda: operation_kind("video").order(fields), delivery)
    return Reply(headers, body=video_json(op))


async def retrieve_video(caller: Caller, video_id: str) -> Reply:
    op = await lifecycle.read_operation(caller, video_id, "video")
    return Reply(_poll_hint(op), body=video_json(op))


async def video_content(caller: Caller, video_id: str, variant: str) -> Reply:
    op = await lifecycle.read_operation(caller, video_id, "video")
    if variant != "video":
        raise NotFound(f"variant: only the video itself is kept, not a {variant[:40]!r}", param="variant")
    if op.status != "succeeded" or not op.result:
        raise Conflict(f"The video is not ready: its status is {video_json(op)['status']}", code="video_not_ready")
    url = await anyio.to_thread.run_sync(results.presign, op.result["s3_key"])
    return Reply({"location": url}, status=302)
