"""A chat completion as an operation (`"async": true` on /v1/chat/completions): the model the client
named, its price and its adapter, run by the worker; the result is the `chat.completion` JSON.

    order = CHAT.order({"model": "gpt-4o-mini", "messages": [...], "async": True})

Reserved like the synchronous call (the prompt bounded at a token per byte, plus the completion
limit); charged the tokens the provider reported, never more than was reserved. The request body
waits in S3 for the worker (a conversation can outgrow a DynamoDB item). Async chats are not
streamed, take no fallback chain (the operation is the retry), and `auto` models answer only in the
request.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from tollway.catalog import resolve, served_as
from tollway.config import settings
from tollway.errors import InvalidRequest, UpstreamError
from tollway.ledger.money import credits_json
from tollway.operations import results
from tollway.operations.kinds.base import Order
from tollway.operations.kinds.media_jobs import ASYNC_FIELDS, OneStep, webhook
from tollway.operations.records import Operation
from tollway.providers import Usage, provider_for
from tollway.providers.jobs import JobStatus
from tollway.routing.capabilities import needed_capabilities, require_capabilities
from tollway.routing.chain import without_fallback_fields
from tollway.wire.openai_chat import ChatCompletionRequest
from tollway.wire.token_estimate import estimate_prompt_tokens, estimate_text_tokens
from tollway.wire.validation import validate


class ChatKind(OneStep):
    name = "chat"
    endpoint = "chat.completions"
    result_stem = "completion"

    def order(self, body: dict[str, Any]) -> Order:
        raw = {k: v for k, v in body.items() if k not in ASYNC_FIELDS}
        request = validate(ChatCompletionRequest, raw)
        if request.stream:
            raise InvalidRequest("stream: an async chat is not streamed; poll its operation for the answer",
                                 code="invalid_value", param="stream")
        spec = served_as(request.model, "chat")
        if spec.provider == "auto":
            raise InvalidRequest("model: the auto models answer in the request only; name a model to run async",
                                 code="invalid_value", param="model")
        provider = provider_for(spec.provider)  # 503 now, not in the worker
        require_capabilities(spec, needed_capabilities(raw))
        if '"file_id"' in json.dumps(raw.get("messages")):
            raise InvalidRequest("messages: files named by file_id are read only by a chat answered in the request",
                                 code="invalid_value", param="messages")
        sent = without_fallback_fields(raw) | {"model": spec.upstream_id or spec.id}
        max_tokens = request.requested_max_tokens()
        if max_tokens is None:
            max_tokens = min(settings().default_max_tokens, spec.max_output_tokens)
            sent[provider.token_limit_param] = max_tokens
        elif spec.listed and max_tokens > spec.max_output_tokens:
            raise InvalidRequest(f"{spec.id} produces at most {spec.max_output_tokens} tokens", code="invalid_value",
                                 param="max_tokens")
        prompt_bound = estimate_prompt_tokens(raw["messages"], request.tools, bound=True)
        reserve = spec.cost(min(prompt_bound, spec.context_length), max_tokens * request.n)
        return Order(kind=self.name, endpoint=self.endpoint, model=spec.id, provider=spec.provider, reserve=reserve,
                     params={"n": request.n}, webhook_url=webhook(body),
                     upload=json.dumps(sent, separators=(",", ":")).encode(), upload_type="application/json")

    def describe(self, op: Operation) -> dict[str, Any]:
        return {}

    async def submit(self, op: Operation) -> JobStatus:
        body = json.loads(await asyncio.to_thread(results.get_bytes, op.params["input_key"]))
        completion, used = await _complete(op, body)
        content = json.dumps(completion, separators=(",", ":")).encode()
        return JobStatus("succeeded", content=content, content_type="application/json", charge=used)


async def _complete(op: Operation, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The chat.completion the operation's model answered, its usage and cost filled in, and the charge."""
    spec = resolve(op.model)
    if spec is None:
        raise UpstreamError(f"the model {op.model} is no longer served")
    reply = await provider_for(op.provider).chat(body)
    choices = reply.body.get("choices") or []
    text = " ".join(str((c.get("message") or {}).get("content") or "") for c in choices if isinstance(c, dict))
    usage = reply.usage or Usage(estimate_prompt_tokens(body["messages"]), estimate_text_tokens(text))
    used = spec.cost(usage.prompt_tokens, usage.completion_tokens)
    reported = reply.body.get("usage")
    reply.body["usage"] = (reported if isinstance(reported, dict) else {}) | {
        "prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.prompt_tokens + usage.completion_tokens,
        "cost": credits_json(min(used, op.reserved))}
    return reply.body, used


class ResponsesKind(ChatKind):
    """A Responses API call as an operation (`"async": true` on /v1/responses and /infra/ai/responses):
    translated to chat as the synchronous call is for every provider, run like an async chat, and its
    result the `response` object. The Responses request waits in S3 beside the chat request it became."""

    name = "responses"
    endpoint = "responses"
    result_stem = "response"

    def order(self, body: dict[str, Any]) -> Order:
        from tollway.routing.unpriced import refuse_unpriced_responses
        from tollway.wire.openai_responses import ResponseCreateParams
        from tollway.wire.translate.responses_to_chat import chat_request_from_responses

        raw = {k: v for k, v in body.items() if k not in ASYNC_FIELDS}
        request = validate(ResponseCreateParams, raw)
        if request.stream:
            raise InvalidRequest("stream: an async response is not streamed; poll its operation for the answer",
                                 code="invalid_value", param="stream")
        request.refuse_stored_state()
        refuse_unpriced_responses(raw)
        provider = provider_for(served_as(request.model, "chat").provider)
        chat = chat_request_from_responses(raw, token_limit_param=provider.token_limit_param)
        if not chat.get("messages"):
            raise InvalidRequest("input: a response needs `input` (a string or items) or `messages`",
                                 code="missing_required_parameter", param="input")
        order = super().order(chat | {k: body[k] for k in ASYNC_FIELDS if k in body})
        sent = json.loads(order.upload or b"{}")
        return replace(order, kind=self.name, endpoint=self.endpoint,
                       upload=json.dumps({"chat": sent, "request": raw}, separators=(",", ":")).encode())

    async def submit(self, op: Operation) -> JobStatus:
        from tollway.wire.translate.completion_to_response import response_from_completion

        stored = json.loads(await asyncio.to_thread(results.get_bytes, op.params["input_key"]))
        completion, used = await _complete(op, stored["chat"])
        response = response_from_completion(completion, stored["request"])
        content = json.dumps(response, separators=(",", ":")).encode()
        return JobStatus("succeeded", content=content, content_type="application/json", charge=used)


CHAT = ChatKind()
RESPONSES = ResponsesKind()
