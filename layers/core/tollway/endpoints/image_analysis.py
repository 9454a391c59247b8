"""POST /v1/images/analysis: an image and a prompt → text, from a vision chat model.

    reply = await analyze_image(caller, {"prompt": "What is this?", "image_url": "https://…/cat.png"}, {})
    reply.body      # {"object": "image.analysis", "model": "gpt-4o-mini", "text": "A cat…", "usage": {…}}
    reply = await analyze_image(caller, {"messages": [{"role": "user", "content": [text, image_url]}]}, {})
    reply.body      # a chat.completion, as older clients of this route expect

The image comes as a multipart file (`image`), base64 (`image`, a data: URL is fine) or a URL
(`image_url`, fetched by the model's provider) — or inside OpenAI vision `messages`. Either way the
request becomes one Chat Completions call through the chat candidates (a named model that cannot
see is answered by the catalog's vision model, `x-fallback-from` saying so, unless `fallbacks: []`),
charged the flat ANALYSIS_PRICE per analysis whichever model reads it.
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from tollway.auth.caller import Caller
from tollway.catalog.media_models import ANALYSIS_PRICE
from tollway.config import settings
from tollway.endpoints.completion import call_chat
from tollway.endpoints.file_references import with_files
from tollway.endpoints.media_call import SCOPE
from tollway.endpoints.reply import Reply
from tollway.endpoints.storage_inputs import with_storage_ref
from tollway.errors import InvalidRequest
from tollway.ledger import Call, admit_call
from tollway.ledger.money import credits_json
from tollway.providers import Usage
from tollway.routing.attempts import first_answer
from tollway.routing.candidates import answerable
from tollway.routing.capabilities import needed_capabilities
from tollway.wire.base64_data import decode_base64
from tollway.wire.media_types import Blob, check_image
from tollway.wire.openai_chat import ChatCompletionRequest
from tollway.wire.openai_images import ImageAnalysisParams
from tollway.wire.token_estimate import estimate_prompt_tokens, estimate_text_tokens
from tollway.wire.validation import validate


async def analyze_image(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    fields, files = await with_storage_ref(caller, fields, files, "image")
    request = validate(ImageAnalysisParams, fields)
    as_chat = request.messages is not None
    messages = _chat_messages(request, files.get("image", [])) if as_chat else [{"role": "user", "content": [
        {"type": "text", "text": request.prompt},
        {"type": "image_url", "image_url": {"url": _image_source(request, files.get("image", [])),
                                            "detail": request.detail}}]}]
    chat = {"model": request.model, "messages": messages, "max_tokens": request.max_tokens}
    if request.temperature is not None:
        chat["temperature"] = request.temperature
    if request.fallbacks is not None:
        chat["fallbacks"] = request.fallbacks
    validate(ChatCompletionRequest, chat)  # `messages` get the chat route's checks and param names
    chat = await with_files(caller, chat)  # file_id parts, from the key's own files, as in chat
    candidates = await answerable(caller, request.model, chat, needed_capabilities(chat), scope=SCOPE)
    meter = await admit_call(caller.ref, Call(scope=SCOPE, endpoint="images.analysis", model=request.model,
                                              provider=candidates[0].provider.name, request_id=caller.request_id,
                                              reserve=ANALYSIS_PRICE))
    deadline = min(time.monotonic() + settings().request_deadline_s, meter.ends_by)

    def body_for(candidate: Any) -> dict[str, Any]:
        spec = candidate.spec
        limit = min(request.max_tokens, spec.max_output_tokens)
        sent = {k: v for k, v in chat.items() if k not in ("fallbacks", "max_tokens")}
        return sent | {"model": spec.upstream_id or spec.id, candidate.provider.token_limit_param: limit}

    async with meter.refund_on_error():
        answer = await first_answer(candidates, lambda c, left: call_chat(c, body_for(c), left), deadline=deadline)
    meter.answered_by(answer.spec.id, answer.candidate.provider.name, answer.depth, request.model)
    reply = answer.result
    choices = reply.body.get("choices") or [{}]
    text = (choices[0].get("message") or {}).get("content") or ""
    usage = reply.usage or Usage(estimate_prompt_tokens(messages), estimate_text_tokens(text))
    charged = await meter.settle(ANALYSIS_PRICE, prompt_tokens=usage.prompt_tokens,
                                 completion_tokens=usage.completion_tokens)
    tokens = {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
              "total_tokens": usage.prompt_tokens + usage.completion_tokens, "cost": credits_json(charged)}
    if as_chat:
        reported = reply.body.get("usage")
        return Reply(meter.headers, body=reply.body | {
            "model": answer.spec.id, "usage": (reported if isinstance(reported, dict) else {}) | tokens})
    return Reply(meter.headers, body={
        "id": "imganalysis-" + secrets.token_hex(12), "object": "image.analysis", "created": int(time.time()),
        "model": answer.spec.id, "text": text, "usage": tokens})


def _chat_messages(request: ImageAnalysisParams, uploads: list[Blob]) -> list[Any]:
    given = [name for name, present in (("prompt", request.prompt is not None), ("image", request.image is not None),
                                        ("image_url", request.image_url is not None), ("an uploaded image",
                                                                                       bool(uploads))) if present]
    if given:
        raise InvalidRequest(f"messages: send the image and question inside `messages`, or as `prompt` and an "
                             f"image, not both (got messages and {' and '.join(given)})", code="invalid_value",
                             param="messages")
    assert request.messages is not None
    return request.messages


def _image_source(request: ImageAnalysisParams, uploads: list[Blob]) -> str:
    """The image as the model will get it: a data: URL of checked bytes, or the client's http(s) URL."""
    if request.prompt is None:
        raise InvalidRequest("prompt: the question about the image is required (or send OpenAI vision `messages`)",
                             code="missing_required_parameter", param="prompt")
    given = [name for name, present in (("an uploaded image", bool(uploads)), ("image", request.image is not None),
                                        ("image_url", request.image_url is not None)) if present]
    if len(given) != 1:
        raise InvalidRequest("Send exactly one image: a multipart file `image`, base64 in `image`, or `image_url`"
                             + (f" (got {' and '.join(given)})" if given else ""), code="invalid_image", param="image")
    if request.image_url is not None:
        return request.image_url
    if uploads:
        blob = check_image(uploads[0].data, uploads[0].filename, uploads[0].content_type, param="image")
    else:
        try:
            data, declared = decode_base64(request.image or "")
        except ValueError:
            raise InvalidRequest("image: is not valid base64", code="invalid_base64", param="image") from None
        blob = check_image(data, None, declared, param="image")
    return f"data:{blob.content_type};base64,{base64.b64encode(blob.data).decode('ascii')}"
