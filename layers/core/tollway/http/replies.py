"""The use cases' edge: read the request, run the use case, write its Reply.

    @app.post("/v1/embeddings")
    async def create_embedding(request: Request) -> Response:
        return await json_call(request, create_embeddings)

A call the client abandons is cancelled (and refunded) by `until_disconnect`; routes that must
not stop when the client leaves (files, operations, document parsing) write `render(await …)`.
Multipart parsing and operations are imported by the calls that use them, not by every function.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response

from tollway.endpoints import Caller, Reply
from tollway.http.disconnect import until_disconnect
from tollway.http.requests import api_key, json_object, request_id
from tollway.http.responses import ClosingStreamingResponse, EventStreamResponse, FastJSONResponse

if TYPE_CHECKING:
    from tollway.wire.media_types import Blob

JsonCall = Callable[..., Awaitable[Reply]]  # (caller, body, **options)
FormCall = Callable[[Caller, dict[str, Any], dict[str, list["Blob"]]], Awaitable[Reply]]


def caller(request: Request) -> Caller:
    """The caller of this request: its API key (a 401 here when there is none) and its request id."""
    return Caller(api_key(request), request_id(request))


async def json_call(request: Request, call: JsonCall, *, job: str | None = None, **options: Any) -> Response:
    """A JSON call, given `options` as keywords; with `job` (an operation kind), `"async": true`
    makes it an operation instead."""
    who = caller(request)
    body = await json_object(request)
    if job is not None:
        from tollway.wire.operations import wants_async

        if wants_async(body):
            from tollway.endpoints import start_job

            return render(await start_job(who, job, body))
        _refuse_delivery(body)
    return render(await until_disconnect(request, lambda: call(who, body, **options)))


async def form_call(request: Request, call: FormCall, *, json_allowed: bool = False, job: str | None = None) -> Response:
    """A multipart call (or, with `json_allowed`, multipart or JSON with base64 files); with `job`,
    `async` makes it an operation whose upload waits in S3."""
    from tollway.http.multipart import form_or_json, read_form

    who = caller(request)
    fields, files = await (form_or_json(request) if json_allowed else read_form(request))
    if job is not None:
        from tollway.wire.operations import wants_async

        if wants_async(fields):
            from tollway.endpoints import start_upload_job

            return render(await start_upload_job(who, job, fields, files))
        _refuse_delivery(fields)
    return render(await until_disconnect(request, lambda: call(who, fields, files)))


def _refuse_delivery(fields: dict[str, Any]) -> None:
    if "webhook_topic" in fields or "result_destination" in fields:  # rare: import the check only then
        from tollway.operations.delivery import refuse_without_async

        refuse_without_async(fields)


def render(reply: Reply) -> Response:
    if reply.is_events:
        assert reply.chunks is not None
        return EventStreamResponse(reply.chunks, reply.headers)
    if reply.chunks is not None:
        return ClosingStreamingResponse(reply.chunks, headers=reply.headers, media_type=reply.content_type)
    if reply.content is not None:
        return Response(reply.content, status_code=reply.status, headers=reply.headers, media_type=reply.content_type)
    if reply.body is None:
        return Response(status_code=reply.status, headers=reply.headers)
    return FastJSONResponse(reply.body, status_code=reply.status, headers=reply.headers)
