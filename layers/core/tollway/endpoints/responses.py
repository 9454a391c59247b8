"""OpenAI's Responses API (/v1/responses, /infra/ai/responses) for every model: OpenAI's natively,
the rest translated to chat and back.

    reply = await create_response(caller, {"model": "claude-sonnet-4-20250514", "input": "Hi"})
    reply.body        # a `response` object, or
    reply.chunks      # the Responses event stream, settled when it ends

An OpenAI model gets the request as sent (built-in state such as previous_response_id included) and
its event stream is metered from response.completed; any other model gets it translated to Chat
Completions (wire/translate/responses_to_chat.py) and the answer translated back. Admission,
fallbacks, retries, settlement and headers are exactly chat's, and so are the charge rules.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.config import settings
from tollway.endpoints.chat_stream import open_stream
from tollway.endpoints.completion import call_chat
from tollway.endpoints.file_references import with_files
from tollway.endpoints.reply import Reply
from tollway.endpoints.responses_stream import ResponsesSource, open_native, relay_responses, translated_responses
from tollway.errors import InvalidRequest, UpstreamTimeout
from tollway.ledger import Call, admit_call
from tollway.ledger.money import credits_json, format_credits
from tollway.providers import Usage
from tollway.providers.openai_responses import OpenAIProvider, ResponsesReply
from tollway.routing.attempts import Candidate, first_answer
from tollway.routing.candidates import answerable
from tollway.routing.capabilities import needed_capabilities
from tollway.routing.chain import without_fallback_fields
from tollway.routing.quality import default_output_limit, reasoning_options, with_quality
from tollway.routing.unpriced import refuse_unpriced_responses
from tollway.wire.generated_text import GeneratedText
from tollway.wire.openai_responses import MAX_OUTPUT_TOKENS, ResponseCreateParams
from tollway.wire.token_estimate import estimate_prompt_tokens
from tollway.wire.translate.completion_to_response import response_from_completion
from tollway.wire.translate.responses_to_chat import chat_request_from_responses, native_request
from tollway.wire.validation import validate

SCOPE = "ai:generate"


@dataclass(frozen=True)
class ResponsesPlan:
    body: dict[str, Any]  # the Responses request when native, else OpenAI chat
    native: bool
    reserve: int


def speaks_responses(provider: object) -> bool:
    return callable(getattr(provider, "responses_stream", None))


async def create_response(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(ResponseCreateParams, raw)
    request.refuse_stored_state()
    refuse_unpriced_responses(raw)
    raw = with_quality(raw)
    view = chat_request_from_responses(raw, strict=False)
    if not view["messages"]:
        raise InvalidRequest("input: a response needs `input` (a string or items) or `messages`",
                             code="missing_required_parameter", param="input")
    model = str(raw["model"])
    needed = {capability: _request_param(param, raw) for capability, param in needed_capabilities(view).items()}
    candidates = await answerable(caller, model, view, needed, scope=SCOPE)
    estimate = estimate_prompt_tokens(view["messages"], view.get("tools"))
    plans = _plans(candidates, raw, request, estimate_prompt_tokens(view["messages"], view.get("tools"), bound=True))
    candidates = [c for c in candidates if c.position in plans]
    for position, plan in plans.items():  # a file_id another key owns is a 404 before anything is reserved
        if not plan.native:
            plans[position] = replace(plan, body=await with_files(caller, plan.body))
    meter = await admit_call(caller.ref, Call(scope=SCOPE, endpoint="responses", model=model,
                                              provider=candidates[0].provider.name, request_id=caller.request_id,
                                              reserve=max(p.reserve for p in plans.values()), stream=request.stream))
    deadline = min(time.monotonic() + settings().request_deadline_s, meter.ends_by)

    async def open_source(candidate: Candidate, left: float) -> ResponsesSource:
        plan = plans[candidate.position]
        if plan.native:
            provider: OpenAIProvider = candidate.provider  # type: ignore[assignment]
            return await open_native(provider, candidate.provider.name, plan.body, left)
        opened = await open_stream(candidate.provider, plan.body, left)
        return translated_responses(opened, raw, candidate.spec.id)

    async def ask(candidate: Candidate, left: float) -> ResponsesReply:
        plan = plans[candidate.position]
        if plan.native:
            return await _native_response(candidate, plan.body, left)
        reply = await call_chat(candidate, plan.body, left)
        return ResponsesReply(response_from_completion(reply.body, raw), reply.usage)

    if request.stream:
        async with meter.refund_on_error():
            opened = await first_answer(candidates, open_source, deadline=deadline)
        meter.answered_by(opened.spec.id, opened.candidate.provider.name, opened.depth, model)
        meter.headers["x-credits-reserved"] = format_credits(meter.reserved)
        return Reply.events(relay_responses(opened.result, opened.spec, meter, estimate), meter.headers)

    async with meter.refund_on_error():
        answer = await first_answer(candidates, ask, deadline=deadline)
    meter.answered_by(answer.spec.id, answer.candidate.provider.name, answer.depth, model)
    body = answer.result.body
    usage = answer.result.usage or Usage(estimate, _output_estimate(body))
    charged = await meter.settle(answer.spec.cost(usage.prompt_tokens, usage.completion_tokens),
                                 prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
    if isinstance(body.get("usage"), dict):
        body["usage"]["cost"] = credits_json(charged)
    return Reply(meter.headers, body=body)


def _plans(candidates: list[Candidate], raw: dict[str, Any], request: ResponseCreateParams,
           prompt_bound: int) -> dict[int, ResponsesPlan]:
    """What each candidate is sent. A fallback the request cannot be translated for is left out."""
    plans: dict[int, ResponsesPlan] = {}
    sent = without_fallback_fields(raw)
    for candidate in candidates:
        spec, provider = candidate.spec, candidate.provider
        max_tokens = request.max_output_tokens
        if max_tokens is None:
            max_tokens = min(default_output_limit(raw, settings().default_max_tokens, spec), MAX_OUTPUT_TOKENS)
        elif spec.listed and max_tokens > spec.max_output_tokens:
            if candidate.position == 0:
                raise InvalidRequest(f"max_output_tokens: {spec.id} produces at most {spec.max_output_tokens} tokens",
                                     code="invalid_value", param="max_output_tokens")
            max_tokens = spec.max_output_tokens
        body = sent | {"model": spec.upstream_id or spec.id, "max_output_tokens": max_tokens}
        native = speaks_responses(provider)
        if native:
            body = native_request(body) | reasoning_options(spec, raw, "responses")
        else:
            try:
                body = chat_request_from_responses(body, token_limit_param=provider.token_limit_param)
            except InvalidRequest:
                if candidate.position == 0:
                    raise
                continue
            body.pop("stream", None)
        plans[candidate.position] = ResponsesPlan(body, native, spec.cost(min(prompt_bound, spec.context_length),
                                                                          max_tokens))
    if not plans:
        raise InvalidRequest("No model of this request's chain can take it", code="invalid_request")
    return plans


async def _native_response(candidate: Candidate, body: dict[str, Any], remaining_s: float) -> ResponsesReply:
    provider: OpenAIProvider = candidate.provider  # type: ignore[assignment]
    try:
        with anyio.fail_after(remaining_s):
            return await provider.responses(body)
    except TimeoutError:
        raise UpstreamTimeout(f"{candidate.provider.name} did not answer before the request's deadline") from None


def _request_param(chat_param: str, raw: dict[str, Any]) -> str:
    """A capability's param in this request's own terms: chat's `messages.N.content.M` is somewhere in
    `input` (or `messages`), and `response_format` is `text.format` or `response_format`."""
    if chat_param.startswith("messages."):
        return "messages" if raw.get("messages") is not None and raw.get("input") is None else "input"
    if chat_param == "response_format" and raw.get("response_format") is None:
        return "text.format"
    return chat_param


def _output_estimate(body: dict[str, Any]) -> int:
    counted = GeneratedText()
    for item in body.get("output") or ():
        if not isinstance(item, dict):
            continue
        for part in item.get("content") or ():
            if isinstance(part, dict):
                counted.add(part.get("text"))
        counted.add(item.get("name"))
        counted.add(item.get("arguments"))
    return counted.tokens()
