"""The Anthropic Messages edge: POST /v1/messages (JSON or SSE) and /v1/messages/count_tokens.

Auth is `x-api-key` (what the Anthropic SDK sends) or `Authorization: Bearer`; `anthropic-version`
is accepted and `anthropic-beta` is passed on to Anthropic for Claude models. Errors on these
routes are in Anthropic's shape (see tollway.http.errors).
"""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from tollway.http.disconnect import until_disconnect
from tollway.http.requests import api_key, json_object, request_id
from tollway.http.responses import EventStreamResponse, FastJSONResponse
from tollway.routing.messages import count_tokens, create_message


async def messages(request: Request) -> Response:
    key = api_key(request)
    body = await json_object(request)
    beta = request.headers.get("anthropic-beta")
    outcome = await until_disconnect(request, lambda: create_message(key, body, request_id(request), beta))
    if outcome.events is not None:
        return EventStreamResponse(outcome.events, outcome.headers)
    return FastJSONResponse(outcome.body, headers=outcome.headers)


async def messages_count_tokens(request: Request) -> JSONResponse:
    key = api_key(request)
    body = await json_object(request)
    counted, headers = await count_tokens(key, body, request.headers.get("anthropic-beta"))
    return JSONResponse(counted, headers=headers)
