"""The chat route's edge: read the request, run it, shape JSON or SSE with the gateway headers."""

from __future__ import annotations

from fastapi import Request, Response

from tollway.http.disconnect import until_disconnect
from tollway.http.requests import api_key, json_object, request_id
from tollway.http.responses import EventStreamResponse, FastJSONResponse
from tollway.routing.chat import complete_chat


async def chat_completions(request: Request) -> Response:
    key = api_key(request)
    body = await json_object(request)
    outcome = await until_disconnect(request, lambda: complete_chat(key, body, request_id(request)))
    if outcome.events is not None:
        return EventStreamResponse(outcome.events, outcome.headers)
    return FastJSONResponse(outcome.body, headers=outcome.headers)
