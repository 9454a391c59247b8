"""Anthropic's Messages API (/v1/messages) for every model: Claude natively, the rest translated.

    reply = await create_message(caller, body, beta=request.headers.get("anthropic-beta"))
    reply.body        # an Anthropic Message, or
    reply.chunks      # Anthropic's SSE event stream, settled when it ends

A claude-* request goes to Anthropic untouched (cache_control, thinking, betas and all); any other
model gets the request translated to OpenAI chat and the answer translated back, so Anthropic-SDK
clients and agent tools can use GPT, Llama, DeepSeek or Gemini. Admission, fallbacks, retries,
settlement and headers are exactly chat's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.catalog import resolve
from tollway.config import settings
from tollway.endpoints.chat_stream import open_stream
from tollway.endpoints.completion import call_chat
from tollway.endpoints.file_references import with_files
from tollway.endpoints.messages_stream import MessagesSource, open_native, relay_messages, translated_messages
from tollway.endpoints.reply import Reply
from tollway.errors import InvalidRequest, ModelNotFound, TollwayError, UpstreamTimeout
from tollway.ledger import Call, admit_call
from tollway.ledger.admission import count_request
from tollway.ledger.money import format_credits
from tollway.providers import Usage, provider_for
from tollway.providers.base import MessagesProvider, MessagesReply
from tollway.routing.attempts import Candidate, first_answer
from tollway.routing.candidates import answerable
from tollway.routing.capabilities import needed_by_message_request
from tollway.routing.chain import without_fallback_fields
from tollway.routing.unpriced import refuse_unpriced_messages
from tollway.wire.anthropic_messages import MessageCountTokensParams, MessageCreateParams
from tollway.wire.token_estimate import estimate_messages_tokens
from tollway.wire.translate import chat_request_from_messages, message_from_completion
from tollway.wire.validation import validate

SCOPE = "ai:generate"


@dataclass(frozen=True)
class MessagesPlan:
    body: dict[str, Any]  # Anthropic's format when native, else OpenAI chat
    native: bool
    reserve: int


def speaks_messages(provider: object) -> bool:
    return callable(getattr(provider, "messages_stream", None))


async def create_message(caller: Caller, raw: dict[str, Any], *, beta: str | None = None) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(MessageCreateParams, raw)
    refuse_unpriced_messages(raw, beta)
    raw = await with_files(caller, raw, anthropic=True)
    candidates = await answerable(caller, request.model, raw, needed_by_message_request(raw), scope=SCOPE)
    estimate = estimate_messages_tokens(raw)
    plans = _plans(candidates, raw, request, estimate_messages_tokens(raw, bound=True))
    candidates = [c for c in candidates if c.position in plans]
    meter = await admit_call(caller.ref, Call(scope=SCOPE, endpoint="messages", model=request.model,
                                              provider=candidates[0].provider.name, request_id=caller.request_id,
                                              reserve=max(p.reserve for p in plans.values()), stream=request.stream))
    deadline = min(time.monotonic() + settings().request_deadline_s, meter.ends_by)
    thinking = request.thinking_enabled()

    async def open_source(candidate: Candidate, left: float) -> MessagesSource:
        plan = plans[candidate.position]
        if plan.native:
            provider: MessagesProvider = candidate.provider  # type: ignore[assignment]
            return await open_native(provider, candidate.provider.name, plan.body, beta, left)
        opened = await open_stream(candidate.provider, plan.body, left)
        return translated_messages(opened, candidate.spec.id, estimate, thinking)

    async def ask(candidate: Candidate, left: float) -> MessagesReply:
        plan = plans[candidate.position]
        if plan.native:
            return await _native_message(candidate, plan.body, beta, left)
        reply = await call_chat(candidate, plan.body, left)
        return MessagesReply(message_from_completion(reply.body, thinking=thinking), reply.usage)

    if request.stream:
        async with meter.refund_on_error():
            opened = await first_answer(candidates, open_source, deadline=deadline)
        meter.answered_by(opened.spec.id, opened.candidate.provider.name, opened.depth, request.model)
        meter.headers["x-credits-reserved"] = format_credits(meter.reserved)
        return Reply.events(relay_messages(opened.result, opened.spec, meter, estimate), meter.headers)

    async with meter.refund_on_error():
        answer = await first_answer(candidates, ask, deadline=deadline)
    meter.answered_by(answer.spec.id, answer.candidate.provider.name, answer.depth, request.model)
    usage = answer.result.usage or Usage(estimate, int((answer.result.body.get("usage") or {}).get("output_tokens") or 0))
    await meter.settle(answer.spec.cost(usage.prompt_tokens, usage.completion_tokens),
                       prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
    return Reply(meter.headers, body=answer.result.body)


def _plans(candidates: list[Candidate], raw: dict[str, Any], request: MessageCreateParams,
           prompt_bound: int) -> dict[int, MessagesPlan]:
    """What each candidate is sent. A fallback the request cannot be translated for is left out."""
    plans: dict[int, MessagesPlan] = {}
    for candidate in candidates:
        spec, provider = candidate.spec, candidate.provider
        max_tokens = request.max_tokens
        if spec.listed and max_tokens > spec.max_output_tokens:
            if candidate.position == 0:
                raise InvalidRequest(f"max_tokens: {spec.id} produces at most {spec.max_output_tokens} tokens",
                                     code="invalid_value", param="max_tokens")
            max_tokens = spec.max_output_tokens
        body = without_fallback_fields(raw) | {"model": spec.upstream_id or spec.id, "max_tokens": max_tokens}
        native = speaks_messages(provider)
        if not native:
            try:
                body = chat_request_from_messages(body, token_limit_param=provider.token_limit_param)
            except InvalidRequest:
                if candidate.position == 0:
                    raise
                continue
            body.pop("stream", None)
        reserve = spec.cost(min(prompt_bound, spec.context_length), max_tokens)
        plans[candidate.position] = MessagesPlan(body, native, reserve)
    if not plans:
        raise InvalidRequest("No model of this request's chain can take it", code="invalid_request")
    return plans


async def _native_message(candidate: Candidate, body: dict[str, Any], beta: str | None,
                          remaining_s: float) -> MessagesReply:
    provider: MessagesProvider = candidate.provider  # type: ignore[assignment]
    try:
        with anyio.fail_after(remaining_s):
            return await provider.messages(body, beta)
    except TimeoutError:
        raise UpstreamTimeout(f"{candidate.provider.name} did not answer before the request's deadline") from None


async def count_message_tokens(caller: Caller, raw: dict[str, Any], beta: str | None = None) -> Reply:
    """POST /v1/messages/count_tokens: Anthropic's count for Claude, our estimate for other models,
    with the rate-limit headers.

    Free, but counted against the key's requests per minute like any call (it reaches Anthropic with
    the operator's key): one conditional UpdateItem, no reservation and no usage record.
    """
    model = validate(MessageCountTokensParams, raw).model
    headers = await anyio.to_thread.run_sync(count_request, caller.ref, "ai:read", time.time())
    spec = resolve(model)
    if spec is None:
        raise ModelNotFound(f"The model {model!r} does not exist or is not served by this gateway", param="model")
    try:
        provider = provider_for(spec.provider)
    except TollwayError:
        provider = None
    if provider is not None and speaks_messages(provider):
        counter: MessagesProvider = provider  # type: ignore[assignment]
        return Reply(headers, body=await counter.count_tokens(raw | {"model": spec.upstream_id or spec.id}, beta))
    return Reply(headers, body={"input_tokens": estimate_messages_tokens(raw)})
