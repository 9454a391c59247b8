"""The media and files edges: read the request, run the routing call, send its Answer.

    @app.post("/v1/embeddings")
    async def create_embedding(request: Request) -> Response:
        return await json_call(request, create_embeddings)

A call the client abandons is cancelled (and refunded) by `until_disconnect`, as for chat.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response

from tollway.http.disconnect import until_disconnect
from tollway.http.multipart import form_or_json, read_form
from tollway.http.requests import api_key, json_object, request_id
from tollway.http.responses import ClosingStreamingResponse, FastJSONResponse
from tollway.routing.media_call import Answer
from tollway.wire.media_types import Blob
from tollway.wire.operations import wants_async

JsonCall = Callable[[str, dict[str, Any], str], Awaitable[Answer]]
FormCall = Callable[[str, dict[str, Any], dict[str, list[Blob]], str], Awaitable[Answer]]


async def json_call(request: Request, call: JsonCall, *, job: str | None = None) -> Response:
    """A JSON call; with `job` (an operation kind), `"async": true` makes it an operation instead."""
    key = api_key(request)
    body = await json_object(request)
    if job is not None and wants_async(body):
        from tollway.http.operations import started

        return await started(key, job, body)
    return render(await until_disconnect(request, lambda: call(key, body, request_id(request))))


async def form_call(request: Request, call: FormCall, *, json_allowed: bool = False, job: str | None = None) -> Response:
    """A multipart call (or, with `json_allowed`, multipart or JSON with base64 files); with `job`,
    `async` makes it an operation whose upload waits in S3."""
    key = api_key(request)
    fields, files = await (form_or_json(request) if json_allowed else read_form(request))
    if job is not None and wants_async(fields):
        from tollway.http.operations import started_upload

        return await started_upload(key, job, fields, files)
    return render(await until_disconnect(request, lambda: call(key, fields, files, request_id(request))))


def render(answer: Answer) -> Response:
    if answer.chunks is not None:
        return ClosingStreamingResponse(answer.chunks, headers=answer.headers, media_type=answer.content_type)
    if answer.content is not None:
        return Response(answer.content, status_code=answer.status, headers=answer.headers,
                        media_type=answer.content_type)
    if answer.body is None:
        return Response(status_code=answer.status, headers=answer.headers)
    return FastJSONResponse(answer.body, status_code=answer.status, headers=answer.headers)
