"""Chat Completions from admission to settlement.

    outcome = await complete_chat(api_key, body, request_id)
    outcome.body        # the ChatCompletion (non-streaming), or
    outcome.events      # an async iterator of SSE bytes (streaming), settled when it ends

DynamoDB sees one request before the upstream call (admission) and one after (settlement).
Charging rule: a finished request pays for the provider's reported usage, never more than was
reserved. A stream that ends abnormally (upstream failure or client gone) pays only for the
completion tokens the client received; a request that fails before any output pays nothing.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import anyio
from tollway.auth.authenticate import authenticate
from tollway.auth.keys import parse_key
from tollway.catalog import ModelSpec, resolve
from tollway.config import settings
from tollway.errors import AuthenticationFailed, InvalidRequest, ModelNotFound, TollwayError
from tollway.ledger.admission import Admission, admit
from tollway.ledger.money import format_credits
from tollway.ledger.settlement import settle
from tollway.providers import ChatProvider, ChatStream, Usage, provider_for
from tollway.routing.stream_meter import StreamMeter
from tollway.usage.records import UsageRecord
from tollway.wire.openai_chat import ChatCompletionRequest
from tollway.wire.sse import DONE, encode
from tollway.wire.token_estimate import estimate_prompt_tokens
from tollway.wire.validation import validate

SCOPE = "ai:generate"


@dataclass
class ChatOutcome:
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    events: AsyncIterator[bytes] | None = None


async def _refuse_after_auth(key: str, error: TollwayError) -> TollwayError:
    """A model or provider problem is told only to a valid key (401/403 come first)."""
    await anyio.to_thread.run_sync(authenticate, key, SCOPE)
    return error


async def complete_chat(key: str, raw: dict[str, Any], request_id: str) -> ChatOutcome:
    started = time.monotonic()
    request = validate(ChatCompletionRequest, raw)
    ref = parse_key(key)
    if ref is None:
        raise AuthenticationFailed("Invalid API key")
    spec = resolve(request.model)
    if spec is None:
        raise await _refuse_after_auth(key, ModelNotFound(
            f"The model {request.model!r} does not exist or is not served by this gateway", param="model"))
    try:
        provider = provider_for(spec.provider)
    except TollwayError as exc:
        raise await _refuse_after_auth(key, exc) from None

    body = dict(raw)
    max_tokens = request.requested_max_tokens()
    if max_tokens is None:
        max_tokens = min(settings().default_max_tokens, spec.max_output_tokens)
        body[provider.token_limit_param] = max_tokens
    elif spec.listed and max_tokens > spec.max_output_tokens:
        raise InvalidRequest(f"{request.model} produces at most {spec.max_output_tokens} tokens",
                             code="invalid_value", param="max_tokens")
    prompt_estimate = estimate_prompt_tokens(raw["messages"], request.tools)
    reserve = spec.cost(prompt_estimate, max_tokens * request.n)

    admission = await anyio.to_thread.run_sync(admit, ref, SCOPE, reserve, time.time())
    record = UsageRecord(request_id=request_id, key_id=admission.key_id, endpoint="chat.completions",
                         model=spec.id, provider=provider.name, stream=request.stream, started=started)
    headers = {"x-model-used": spec.id} | admission.rate_headers()

    if request.stream:
        try:
            upstream = await provider.stream(body)
        except TollwayError as exc:
            await _settle_unanswered(admission, record, "upstream_error", exc.status, exc.code)
            exc.headers = headers | {"x-credits-used": "0"} | exc.headers
            raise
        except BaseException:
            await _settle_unanswered(admission, record, "client_disconnected", 499, "client_disconnected")
            raise
        headers["x-credits-reserved"] = format_credits(reserve)
        relay = _relay(upstream, spec, admission, record, prompt_estimate, request.wants_usage_chunk())
        return ChatOutcome(headers=headers, events=relay)

    try:
        reply = await provider.chat(body)
    except TollwayError as exc:
        await _settle_unanswered(admission, record, "upstream_error", exc.status, exc.code)
        exc.headers = headers | {"x-credits-used": "0"} | exc.headers
        raise
    except BaseException:
        # Cancelled (client gone, server stopping): the reservation must not stay held.
        await _settle_unanswered(admission, record, "client_disconnected", 499, "client_disconnected")
        raise
    usage = reply.usage or Usage(prompt_estimate, _completion_estimate(reply.body))
    record.prompt_tokens, record.completion_tokens = usage.prompt_tokens, usage.completion_tokens
    charged = await anyio.to_thread.run_sync(
        settle, admission, spec.cost(usage.prompt_tokens, usage.completion_tokens), record)
    headers["x-credits-used"] = format_credits(charged)
    return ChatOutcome(headers=headers, body=reply.body)


def _completion_estimate(body: dict[str, Any]) -> int:
    meter = StreamMeter()
    for choice in body.get("choices") or ():
        meter.count_message(choice.get("message") or {})
    return meter.estimated_tokens()


async def _settle_unanswered(admission: Admission, record: UsageRecord, status: str, http_status: int,
                             code: str) -> None:
    """No output reached the client: record why and refund the whole reservation."""
    record.status, record.http_status, record.error_code = status, http_status, code
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(settle, admission, 0, record)


async def _relay(upstream: ChatStream, spec: ModelSpec, admission: Admission, record: UsageRecord,
                 prompt_estimate: int, client_wants_usage: bool) -> AsyncIterator[bytes]:
    """Forward each upstream event as it arrives; settle exactly once however the stream ends."""
    meter = StreamMeter()
    usage: Usage | None = None
    finished = False
    try:
        try:
            async for event in upstream.events():
                chunk = event.chunk
                reported = Usage.from_openai(chunk.get("usage"))
                if reported is not None:
                    usage = reported
                if not chunk.get("choices"):
                    # The usage chunk: we always ask for it; the client sees it only if it asked.
                    if reported is not None and client_wants_usage:
                        yield b"data: " + event.data.encode("utf-8") + b"\n\n"
                    continue
                meter.count_chunk(chunk)
                yield b"data: " + event.data.encode("utf-8") + b"\n\n"
        except TollwayError as exc:
            record.status, record.http_status, record.error_code = "upstream_error", exc.status, exc.code
            finished = True
            yield encode({"error": {"message": exc.message, "type": exc.type, "code": exc.code, "param": None}})
            return
        finished = True
        yield DONE
    finally:
        if not finished:
            record.status, record.http_status, record.error_code = "client_disconnected", 499, "client_disconnected"
        with anyio.CancelScope(shield=True):
            await upstream.aclose()
            if record.status == "ok":
                final = usage or Usage(prompt_estimate, meter.estimated_tokens())
                charge = spec.cost(final.prompt_tokens, final.completion_tokens)
            else:
                # Abnormal end: only the completion tokens the client actually received.
                final = Usage(0, meter.delivered_tokens())
                charge = spec.cost(0, final.completion_tokens)
            record.prompt_tokens, record.completion_tokens = final.prompt_tokens, final.completion_tokens
            await anyio.to_thread.run_sync(settle, admission, charge, record)
