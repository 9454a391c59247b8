"""POST /api/v1/inference/chat and /chat/stream: the native chat, answered by the same use case as
/v1/chat/completions (admission, fallbacks, settlement, usage record and headers are that one's).

    reply = await native_chat(caller, {"model": "claude-sonnet-4-20250514", "messages": [...], "maxTokens": 100})
    reply.body       # {"success": true, "data": {"content", "model", "usage": {...}, "finishReason"}}
    reply = await native_chat_stream(caller, body)
    reply.chunks     # data: {"type":"content_block_delta","delta":{"text":…}} … data: {"type":"message_stop",…}

The model is resolved by name (catalog patterns: claude* → Anthropic, gpt-* → OpenAI, gemini* →
Gemini, opencode/* → OpenCode), or on the provider `providerId` names: a registered provider serves
the model as `<name>/<model>` (its default model when none is given); a built-in one must be the
provider the catalog serves the model from.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from tollway.auth.caller import Caller
from tollway.endpoints.chat import complete_chat
from tollway.endpoints.completion import SCOPE
from tollway.endpoints.reply import Reply
from tollway.errors import InvalidRequest, NotFound, TollwayError
from tollway.wire.inference import InferenceChatRequest, chat_data, envelope, envelope_code, usage_data
from tollway.wire.sse import encode
from tollway.wire.validation import validate


def served_model(model: str | None, provider_id: str | None) -> str:
    """The gateway's name of the model to call: `model` itself, or as the provider `provider_id` serves it."""
    if provider_id is None:
        if model is None:
            raise InvalidRequest("model: is required (or name a providerId with a defaultModel)", param="model")
        return model
    from tollway.catalog.provider_registry import snapshot

    registered = snapshot().by_ref(provider_id)
    if registered is not None:
        model = model or registered.default_model
        if model is None:
            raise InvalidRequest(f"model: is required: provider {registered.name!r} has no defaultModel", param="model")
        return model if model.startswith(registered.name + "/") else f"{registered.name}/{model}"
    from tollway.catalog import resolve
    from tollway.providers.instances import instance

    if instance(provider_id) is None:
        raise NotFound(f"providerId: no provider {provider_id!r}", param="providerId")
    if model is None:
        raise InvalidRequest("model: is required", param="model")
    spec = resolve(model)
    if spec is not None and spec.provider != provider_id:
        raise InvalidRequest(f"providerId: {model!r} is served by {spec.provider!r}, not {provider_id!r}",
                             param="providerId")
    return model


async def _openai_request(caller: Caller, raw: dict[str, Any], *, stream: bool) -> dict[str, Any]:
    """The /v1 request this one is: a malformed key is a 401 first, then the body's 400s; which
    providers exist is told only to a valid key."""
    caller.ref
    request = validate(InferenceChatRequest, raw)
    try:
        model = served_model(request.model, request.providerId)
    except TollwayError as exc:
        raise await caller.refusal(SCOPE, exc) from None
    return request.openai_body(model, stream=stream)


async def native_chat(caller: Caller, raw: dict[str, Any]) -> Reply:
    reply = await complete_chat(caller, await _openai_request(caller, raw, stream=False))
    assert reply.body is not None
    return Reply(reply.headers, body=envelope(chat_data(reply.body)), status=reply.status)


async def native_chat_stream(caller: Caller, raw: dict[str, Any]) -> Reply:
    reply = await complete_chat(caller, await _openai_request(caller, raw, stream=True))
    assert reply.chunks is not None
    return Reply.events(_native_events(reply.chunks), reply.headers)


def _frames(chunk: bytes) -> list[Any]:
    """The JSON of each `data:` line in what the chat stream yielded (one or more SSE events)."""
    found = []
    for line in chunk.split(b"\n"):
        if line.startswith(b"data:"):
            data = line[5:].strip()
            if data and data != b"[DONE]":
                found.append(json.loads(data))
    return found


async def _native_events(source: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """OpenAI chunks in, native events out. Closing this closes the chat stream, which settles it."""
    model, finish, usage = None, None, {}
    try:
        async for chunk in source:
            for frame in _frames(chunk):
                error = frame.get("error") if isinstance(frame, dict) else None
                if isinstance(error, dict):  # the upstream failed mid-stream: the chat stream's failure frame
                    yield encode({"type": "error", "error": {
                        "code": envelope_code(_status(error.get("code")), error.get("code")),
                        "message": error.get("message") or "The upstream failed"}})
                    return
                model = frame.get("model") or model
                if isinstance(frame.get("usage"), dict):
                    usage = usage_data(frame["usage"])
                for choice in frame.get("choices") or ():
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield encode({"type": "content_block_delta", "delta": {"text": text}})
                    finish = choice.get("finish_reason") or finish
        yield encode({"type": "message_stop", "model": model, "finishReason": finish,
                      "usage": usage or {"inputTokens": 0, "outputTokens": 0}})
    finally:
        await source.aclose()  # type: ignore[attr-defined]


def _status(code: Any) -> int:
    """The HTTP status a mid-stream error code stands for (the stream's own status is long sent)."""
    return {"upstream_timeout": 504, "request_time_limit": 504, "upstream_rate_limited": 429,
            "insufficient_credits": 402}.get(code if isinstance(code, str) else "", 502)
