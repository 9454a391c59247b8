"""The operations edge: start a job (202 with the operation), read it, cancel it; OpenAI's videos
API on the same operations; each key's webhook signing secret."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse

from tollway.auth.authenticate import authenticate
from tollway.config import settings
from tollway.errors import Conflict, ModelNotFound, NotFound, NotImplementedYet, ProviderNotConfigured
from tollway.http.multipart import form_or_json
from tollway.http.requests import api_key, json_object
from tollway.operations import results
from tollway.operations.kinds import operation_kind
from tollway.operations.lifecycle import GENERATE, cancel_operation, open_operation, read_operation
from tollway.operations.records import Operation
from tollway.operations.views import operation_json, video_json
from tollway.auth.authenticate import refuse_after_auth
from tollway.wire.media_types import Blob


async def start_job(key: str, kind: str, body: dict[str, Any]) -> tuple[Operation, dict[str, str]]:
    try:
        order = operation_kind(kind).order(body)
    except (ModelNotFound, ProviderNotConfigured, NotImplementedYet) as exc:
        raise await refuse_after_auth(key, GENERATE, exc) from None
    return await open_operation(key, order)


async def create_job(request: Request, kind: str) -> JSONResponse:
    return await started(api_key(request), kind, await json_object(request))


async def started(key: str, kind: str, body: dict[str, Any]) -> JSONResponse:
    """202 with the operation: the job runs in Step Functions, the client polls GET /v1/operations/{id}."""
    op, headers = await start_job(key, kind, body)
    return JSONResponse(operation_json(op), status_code=202, headers=headers)


async def started_upload(key: str, kind: str, fields: dict[str, Any], files: dict[str, list[Blob]]) -> JSONResponse:
    """The same for a job whose input is an upload (an audio file to transcribe)."""
    try:
        order = operation_kind(kind).order_upload(fields, files)  # type: ignore[attr-defined]
    except (ModelNotFound, ProviderNotConfigured, NotImplementedYet) as exc:
        raise await refuse_after_auth(key, GENERATE, exc) from None
    op, headers = await open_operation(key, order)
    return JSONResponse(operation_json(op), status_code=202, headers=headers)


async def show_operation(request: Request, op_id: str, kind: str | None = None) -> JSONResponse:
    op = await read_operation(api_key(request), op_id, kind)
    return JSONResponse(await anyio.to_thread.run_sync(operation_json, op), headers=_poll_hint(op))


async def cancel(request: Request, op_id: str) -> JSONResponse:
    op = await cancel_operation(api_key(request), op_id)
    return JSONResponse(operation_json(op))


async def webhook_secret(request: Request) -> JSONResponse:
    from tollway.operations.webhook_secret import webhook_secret as secret_for

    record = await anyio.to_thread.run_sync(authenticate, api_key(request), "ai:read")
    return JSONResponse({"object": "webhook_secret", "secret": secret_for(record.id),
                         "algorithm": "HMAC-SHA256", "header": "Tollway-Signature"})


def _poll_hint(op: Operation) -> dict[str, str]:
    """What the OpenAI SDK's poll helper reads to pace itself."""
    return {} if op.terminal else {"openai-poll-after-ms": str(settings().operation_poll_s * 1000)}


# -- OpenAI's videos API (POST /v1/videos, GET /v1/videos/{id}, GET /v1/videos/{id}/content) -------


async def create_video(request: Request) -> JSONResponse:
    key = api_key(request)
    fields, files = await form_or_json(request)
    if files:
        raise NotImplementedYet("input_reference: reference images are not supported by this gateway yet",
                                param=next(iter(files)))
    op, headers = await start_job(key, "video", fields)
    return JSONResponse(video_json(op), headers=headers)


async def retrieve_video(request: Request, video_id: str) -> JSONResponse:
    op = await read_operation(api_key(request), video_id, "video")
    return JSONResponse(video_json(op), headers=_poll_hint(op))


async def video_content(request: Request, video_id: str) -> RedirectResponse:
    op = await read_operation(api_key(request), video_id, "video")
    variant = request.query_params.get("variant", "video")
    if variant != "video":
        raise NotFound(f"variant: only the video itself is kept, not a {variant[:40]!r}", param="variant")
    if op.status != "succeeded" or not op.result:
        raise Conflict(f"The video is not ready: its status is {video_json(op)['status']}", code="video_not_ready")
    url = await anyio.to_thread.run_sync(results.presign, op.result["s3_key"])
    return RedirectResponse(url, status_code=302)
