"""Chat Completions for a model the client names, from admission to settlement, across its chain.

    reply = await complete(caller, body)
    reply.body          # the ChatCompletion (non-streaming), or
    reply.chunks        # its SSE events (streaming), settled when the stream ends

DynamoDB sees one request before the upstream call (admission) and one after (settlement).
The reservation covers the worst case of the dearest model of the chain (its prompt bounded at one
token per byte, and its completion limit); the charge is for the model that answered, at catalog
prices, of what its provider reported — even beyond the reservation. A request that fails before
any output pays nothing; how a stream that ends early is charged is ledger.stream's (the rules are
in TokenStreamUsage). The charge is also reported inside the body, as `usage.cost` in credits (the
convention OpenRouter uses), because a stream's headers leave before its cost is known.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.config import settings
from tollway.endpoints.chat_stream import open_stream, relay
from tollway.endpoints.file_references import with_files
from tollway.endpoints.reply import Reply
from tollway.errors import InvalidRequest, UpstreamTimeout
from tollway.ledger import Call, admit_call
from tollway.ledger.money import credits_json, format_credits
from tollway.providers import ChatReply, Usage
from tollway.routing.attempts import Candidate, first_answer
from tollway.routing.candidates import answerable
from tollway.routing.capabilities import needed_capabilities
from tollway.routing.chain import without_fallback_fields
from tollway.routing.quality import default_output_limit, reasoning_options
from tollway.routing.unpriced import refuse_unpriced_chat
from tollway.wire.generated_text import GeneratedText
from tollway.wire.openai_chat import ChatCompletionRequest
from tollway.wire.token_estimate import estimate_prompt_tokens
from tollway.wire.validation import validate

SCOPE = "ai:generate"


@dataclass(frozen=True)
class Plan:
    """What one candidate is sent, and the most it can cost."""

    body: dict[str, Any]
    reserve: int


async def complete(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(ChatCompletionRequest, raw)
    refuse_unpriced_chat(raw)
    raw = await with_files(caller, raw)
    candidates = await answerable(caller, request.model, raw, needed_capabilities(raw), scope=SCOPE)
    prompt_estimate = estimate_prompt_tokens(raw["messages"], request.tools)
    prompt_bound = estimate_prompt_tokens(raw["messages"], request.tools, bound=True)
    plans = {c.position: _plan(c, request, raw, prompt_bound) for c in candidates}
    meter = await admit_call(caller.ref, Call(scope=SCOPE, endpoint="chat.completions", model=request.model,
                                              provider=candidates[0].provider.name, request_id=caller.request_id,
                                              reserve=max(p.reserve for p in plans.values()), stream=request.stream))
    deadline = min(time.monotonic() + settings().request_deadline_s, meter.ends_by)

    if request.stream:
        async with meter.refund_on_error():
            opened = await first_answer(
                candidates, lambda c, left: open_stream(c.provider, plans[c.position].body, left), deadline=deadline)
        meter.answered_by(opened.spec.id, opened.candidate.provider.name, opened.depth, request.model)
        meter.headers["x-credits-reserved"] = format_credits(meter.reserved)
        events = relay(opened.result, opened.spec, meter, prompt_estimate, request.wants_usage_chunk())
        return Reply.events(events, meter.headers)

    async with meter.refund_on_error():
        answer = await first_answer(
            candidates, lambda c, left: call_chat(c, plans[c.position].body, left), deadline=deadline)
    meter.answered_by(answer.spec.id, answer.candidate.provider.name, answer.depth, request.model)
    reply = answer.result
    usage = reply.usage or Usage(prompt_estimate, _completion_estimate(reply.body))
    charged = await meter.settle(answer.spec.cost(usage.prompt_tokens, usage.completion_tokens),
                                 prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
    if isinstance(reply.body.get("usage"), dict):
        reply.body["usage"]["cost"] = credits_json(charged)
    return Reply(meter.headers, body=reply.body)


def _plan(candidate: Candidate, request: ChatCompletionRequest, raw: dict[str, Any], prompt_bound: int) -> Plan:
    spec, provider = candidate.spec, candidate.provider
    body = without_fallback_fields(raw) | {"model": spec.upstream_id or spec.id} | reasoning_options(spec, raw, "chat")
    max_tokens = request.requested_max_tokens()
    if max_tokens is None:
        max_tokens = default_output_limit(raw, settings().default_max_tokens, spec)
        body[provider.token_limit_param] = max_tokens
    elif spec.listed and max_tokens > spec.max_output_tokens:
        if candidate.position == 0:
            raise InvalidRequest(f"{spec.id} produces at most {spec.max_output_tokens} tokens",
                                 code="invalid_value", param="max_tokens")
        max_tokens = spec.max_output_tokens  # a fallback answers within its own limit
        for name in ("max_tokens", "max_completion_tokens"):
            if name in body:
                body[name] = max_tokens
    return Plan(body, spec.cost(min(prompt_bound, spec.context_length), max_tokens * request.n))


async def call_chat(candidate: Candidate, body: dict[str, Any], remaining_s: float) -> ChatReply:
    try:
        with anyio.fail_after(remaining_s):
            return await candidate.provider.chat(body)
    except TimeoutError:
        raise UpstreamTimeout(f"{candidate.provider.name} did not answer before the request's deadline") from None


def _completion_estimate(body: dict[str, Any]) -> int:
    counted = GeneratedText()
    for choice in body.get("choices") or ():
        message = choice.get("message") if isinstance(choice, dict) else None
        if isinstance(message, dict):
            counted.add_message(message)
    return counted.tokens()
