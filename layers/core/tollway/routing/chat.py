"""Chat Completions from admission to settlement.

    outcome = await complete_chat(api_key, body, request_id)
    outcome.body        # the ChatCompletion (non-streaming), or
    outcome.events      # an async iterator of SSE bytes (streaming), settled when it ends

DynamoDB sees one request before the upstream call (admission) and one after (settlement).
Charging rule: a finished request pays for the provider's reported usage, never more than was
reserved. A stream that ends abnormally (upstream failure or client gone) pays only for the
completion tokens the client received; a request that fails before any output pays nothing.
The charge is also reported inside the body, as `usage.cost` in credits (the convention
OpenRouter uses), because a stream's headers leave before its cost is known.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import anyio

from tollway.catalog import ModelSpec, resolve
from tollway.config import settings
from tollway.errors import InvalidRequest, ModelNotFound, TollwayError
from tollway.ledger.money import credits_json, format_credits
from tollway.providers import ChatStream, Usage, provider_for
from tollway.routing.metered import Call, Meter, admit_call, key_ref, refuse_after_auth
from tollway.routing.stream_meter import StreamMeter
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


async def complete_chat(key: str, raw: dict[str, Any], request_id: str) -> ChatOutcome:
    ref = key_ref(key)
    request = validate(ChatCompletionRequest, raw)
    spec = resolve(request.model)
    if spec is None:
        raise await refuse_after_auth(key, SCOPE, ModelNotFound(
            f"The model {request.model!r} does not exist or is not served by this gateway", param="model"))
    try:
        provider = provider_for(spec.provider)
    except TollwayError as exc:
        raise await refuse_after_auth(key, SCOPE, exc) from None

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
    meter = await admit_call(ref, Call(scope=SCOPE, endpoint="chat.completions", model=spec.id,
                                       provider=provider.name, reserve=reserve, request_id=request_id,
                                       stream=request.stream))

    if request.stream:
        async with meter.refund_on_error():
            upstream = await provider.stream(body)
        meter.headers["x-credits-reserved"] = format_credits(reserve)
        relay = _relay(upstream, spec, meter, prompt_estimate, request.wants_usage_chunk())
        return ChatOutcome(headers=meter.headers, events=relay)

    async with meter.refund_on_error():
        reply = await provider.chat(body)
    usage = reply.usage or Usage(prompt_estimate, _completion_estimate(reply.body))
    charged = await meter.settle(spec.cost(usage.prompt_tokens, usage.completion_tokens),
                                 prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
    if isinstance(reply.body.get("usage"), dict):
        reply.body["usage"]["cost"] = credits_json(charged)
    return ChatOutcome(headers=meter.headers, body=reply.body)


def _completion_estimate(body: dict[str, Any]) -> int:
    meter = StreamMeter()
    for choice in body.get("choices") or ():
        meter.count_message(choice.get("message") or {})
    return meter.estimated_tokens()


async def _relay(upstream: ChatStream, spec: ModelSpec, meter: Meter, prompt_estimate: int,
                 client_wants_usage: bool) -> AsyncIterator[bytes]:
    """Forward each upstream event as it arrives; settle exactly once however the stream ends."""
    counted = StreamMeter()
    usage: Usage | None = None
    outcome: TollwayError | None = None
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
                        cost = min(spec.cost(reported.prompt_tokens, reported.completion_tokens),
                                   meter.admission.reserved)
                        chunk["usage"]["cost"] = credits_json(cost)
                        yield encode(json.dumps(chunk, separators=(",", ":"), ensure_ascii=False))
                    continue
                counted.count_chunk(chunk)
                yield b"data: " + event.data.encode("utf-8") + b"\n\n"
        except TollwayError as exc:
            outcome = exc
            finished = True
            yield encode({"error": {"message": exc.message, "type": exc.type, "code": exc.code, "param": None}})
            return
        finished = True
        yield DONE
    finally:
        # Shielded: when the client leaves, the task is cancelled, and the stream must still be
        # closed and the reservation settled.
        with anyio.CancelScope(shield=True):
            await upstream.aclose()
            if outcome is None and finished:
                final = usage or Usage(prompt_estimate, counted.estimated_tokens())
                await meter.settle(spec.cost(final.prompt_tokens, final.completion_tokens),
                                   prompt_tokens=final.prompt_tokens, completion_tokens=final.completion_tokens)
            else:
                # Abnormal end: only the completion tokens the client actually received.
                delivered = counted.delivered_tokens()
                status, http_status, code = (("upstream_error", outcome.status, outcome.code) if outcome
                                             else ("client_disconnected", 499, "client_disconnected"))
                await meter.refund(status, http_status, code, completion_tokens=delivered,
                                   charge=spec.cost(0, delivered))
