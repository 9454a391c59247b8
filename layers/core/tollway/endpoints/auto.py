"""The `auto` models on /v1/chat/completions: the gateway picks the model, and the modality.

    reply = await complete_auto(caller, {"model": "auto-high", "messages": [...]})
    reply.headers["x-model-used"]        # the concrete model that answered

Text and vision requests go to the tier's first configured model that can take them, with the
rest of the tier as fallbacks; `auto-ultra` then sends the draft back to the same model for one
refinement pass and answers with the refined text. A request whose last user message asks to draw,
speak or make a sound goes to the images or audio endpoints instead (priced as they are) and the
media comes back as a markdown link to a presigned URL in an ordinary `chat.completion`.
Only the auto models are inspected: a model the client names is never hijacked.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from tollway.auth.caller import Caller
from tollway.catalog import resolve
from tollway.catalog.auto_models import AUTO_TIERS, MEDIA_PREFERENCES, TEXT_PREFERENCES
from tollway.catalog.spec import Kind
from tollway.endpoints.completion import complete
from tollway.endpoints.reply import Reply
from tollway.errors import ProviderNotConfigured
from tollway.ledger.money import credits_json, format_credits, to_micro
from tollway.providers import configured_providers
from tollway.routing.capabilities import missing_capability, needed_capabilities
from tollway.routing.modality import Modality, detect_modality, subject_of
from tollway.wire.openai_chat import ChatCompletionRequest
from tollway.wire.sse import DONE, encode
from tollway.wire.validation import validate

SCOPE = "ai:generate"
REFINE = ("Review your previous answer for mistakes, gaps and anything unclear, then write the improved "
          "final answer. Reply with the final answer only, without mentioning the review.")
_MEDIA_KINDS: dict[str, Kind] = {"image": "image", "speech": "speech", "sound": "sound"}


async def complete_auto(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    validate(ChatCompletionRequest, raw)
    tier = AUTO_TIERS[raw["model"]]
    modality = detect_modality(raw)
    if modality in _MEDIA_KINDS:
        return await _media(caller, raw, tier, modality)
    chain = _text_chain(tier, raw)
    if not chain:
        raise await caller.refusal(SCOPE, ProviderNotConfigured(
            "No configured model can answer this request; the operator must configure a provider"))
    body = raw | {"model": chain[0]}
    if "models" not in raw and "fallbacks" not in raw:
        body["fallbacks"] = chain[1:6]
    if tier == "ultra" and not raw.get("tools"):
        reply = await refined(caller, body)
    else:
        reply = await complete(caller, body)
    reply.headers |= {"x-auto-tier": tier, "x-auto-modality": modality}
    return reply


def _text_chain(tier: str, raw: dict[str, Any]) -> list[str]:
    usable, needed = configured_providers(), needed_capabilities(raw)
    chain = []
    for model in TEXT_PREFERENCES[tier]:
        spec = resolve(model)
        if spec is not None and spec.provider in usable and missing_capability(spec, needed) is None:
            chain.append(model)
    return chain


async def refined(caller: Caller, body: dict[str, Any]) -> Reply:
    """Two passes on one model: a draft (not streamed), then its refinement, answered as asked."""
    draft_body = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    draft = await complete(replace(caller, request_id=f"{caller.request_id}_draft"), draft_body)
    assert draft.body is not None
    text = (draft.body["choices"][0]["message"].get("content") or "") if draft.body.get("choices") else ""
    if not text:
        return draft  # nothing to refine (a refusal, tool calls)
    model = draft.headers["x-model-used"]
    refine_body = body | {"model": model, "fallbacks": [], "messages": [
        *body["messages"], {"role": "assistant", "content": text}, {"role": "user", "content": REFINE}]}
    refine_body.pop("models", None)
    final = await complete(caller, refine_body)
    draft_credits = draft.headers["x-credits-used"]
    final.headers |= {"x-auto-passes": "2", "x-auto-draft-credits": draft_credits}
    if final.body is not None:  # JSON: one total; a stream's total is its usage chunk's cost + the draft's
        total = to_micro(draft_credits) + to_micro(final.headers["x-credits-used"])
        final.headers["x-credits-used"] = format_credits(total)
        if isinstance(final.body.get("usage"), dict):
            final.body["usage"]["cost"] = credits_json(total)
    return final


async def _media(caller: Caller, raw: dict[str, Any], tier: str, modality: Modality) -> Reply:
    from tollway.endpoints.audio import create_speech, generate_sound
    from tollway.endpoints.images import generate_images

    usable = configured_providers()
    kind = _MEDIA_KINDS[modality]
    model = next((m for m in MEDIA_PREFERENCES[modality][tier]
                  if (spec := resolve(m, kind)) is not None and spec.provider in usable), None)
    if model is None:
        raise await caller.refusal(SCOPE, ProviderNotConfigured(
            f"This request asks for {modality}, and no {modality} model is configured on this gateway"))
    subject = subject_of(raw)
    if modality == "image":
        reply = await generate_images(caller, {"model": model, "prompt": subject, "n": 1, "response_format": "url"})
        url = reply.body["data"][0]["url"] if reply.body else ""
        content, media = f"![{_alt(subject)}]({url})", {"type": "image", "url": url}
    else:
        call = create_speech(caller, {"model": model, "input": subject, "response_format": "url"}) \
            if modality == "speech" else \
            generate_sound(caller, {"model": model, "prompt": subject, "response_format": "url"})
        reply = await call
        assert reply.body is not None
        url = reply.body["url"]
        label = "Listen" if modality == "speech" else "Sound effect"
        content = f"[{label}: {_alt(subject)}]({url})"
        media = {"type": "audio", "url": url, "content_type": reply.body.get("content_type"),
                 "expires_at": reply.body.get("expires_at")}
    return _completion(raw, reply, model, content, media, tier, modality, caller.request_id)


def _alt(subject: str) -> str:
    short = " ".join(subject.split())[:80]
    return short.replace("[", "(").replace("]", ")")


def _completion(raw: dict[str, Any], media_reply: Reply, model: str, content: str, media: dict[str, Any],
                tier: str, modality: str, request_id: str) -> Reply:
    headers = media_reply.headers | {"x-auto-tier": tier, "x-auto-modality": modality}
    cost = credits_json(to_micro(headers.get("x-credits-used", "0")))
    usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "cost": cost}
    base = {"id": f"chatcmpl-{request_id.removeprefix('req_')}", "created": int(time.time()), "model": model}
    message = {"role": "assistant", "content": content, "refusal": None, "media": [media]}
    if not raw.get("stream"):
        completion = base | {"object": "chat.completion", "usage": usage, "choices": [
            {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}]}
        return Reply(headers, body=completion)
    wants_usage = bool((raw.get("stream_options") or {}).get("include_usage"))
    return Reply.events(_one_shot_stream(base, message, usage if wants_usage else None), headers)


async def _one_shot_stream(base: dict[str, Any], message: dict[str, Any],
                           usage: dict[str, Any] | None) -> AsyncIterator[bytes]:
    """The finished media answer in the shape of a chat stream (role, content, finish, usage, [DONE])."""
    chunk = base | {"object": "chat.completion.chunk"}

    def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
        return encode(json.dumps(chunk | {"choices": [{"index": 0, "delta": delta, "logprobs": None,
                                                       "finish_reason": finish}]}, separators=(",", ":")))

    yield event({"role": "assistant", "content": ""})
    yield event({"content": message["content"], "media": message["media"]})
    yield event({}, "stop")
    if usage is not None:
        yield encode(json.dumps(chunk | {"choices": [], "usage": usage}, separators=(",", ":")))
    yield DONE
