"""POST /v1/images/analysis: an image and a prompt → text, from a vision chat model.

    reply = await analyze_image(caller, {"prompt": "What is this?", "image_url": "https://…/cat.png"}, {})
    reply.body      # {"object": "image.analysis", "model": "gpt-4o-mini", "text": "A cat…", "usage": {…}}

The image comes as a multipart file (`image`), base64 (`image`, a data: URL is fine) or a URL
(`image_url`, fetched by the model's provider). The request becomes one Chat Completions call through
the chat provider registry, charged as that chat model's tokens (reserved: prompt estimate with the
image + max_tokens).
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from tollway.auth.caller import Caller
from tollway.catalog import resolve
from tollway.endpoints.media_call import SCOPE, metered_call
from tollway.endpoints.reply import Reply
from tollway.errors import InvalidRequest, ModelNotFound, TollwayError
from tollway.ledger.money import credits_json
from tollway.providers import Usage, provider_for
from tollway.wire.base64_data import decode_base64
from tollway.wire.media_types import Blob, check_image
from tollway.wire.openai_images import ImageAnalysisParams
from tollway.wire.token_estimate import estimate_prompt_tokens, estimate_text_tokens
from tollway.wire.validation import validate


async def analyze_image(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(ImageAnalysisParams, fields)
    image_url = _image_source(request, files.get("image", []))
    spec = resolve(request.model)
    if spec is None:
        raise await caller.refusal(SCOPE, ModelNotFound(
            f"The model {request.model!r} is not a chat model served by this gateway", param="model"))
    if spec.listed and "vision" not in spec.capabilities:
        raise await caller.refusal(SCOPE, InvalidRequest(
            f"{spec.id} cannot read images; use a vision model such as gpt-4o-mini", code="unsupported_model",
            param="model"))
    try:
        provider = provider_for(spec.provider)
    except TollwayError as exc:
        raise await caller.refusal(SCOPE, exc) from None

    messages = [{"role": "user", "content": [
        {"type": "text", "text": request.prompt},
        {"type": "image_url", "image_url": {"url": image_url, "detail": request.detail}}]}]
    body = {"model": spec.id, "messages": messages, provider.token_limit_param: request.max_tokens}
    prompt_estimate = estimate_prompt_tokens(messages)
    reply, meter = await metered_call(caller, spec, "images.analysis", spec.cost(prompt_estimate, request.max_tokens),
                                      lambda: provider.chat(body))
    choices = reply.body.get("choices") or [{}]
    text = (choices[0].get("message") or {}).get("content") or ""
    usage = reply.usage or Usage(prompt_estimate, estimate_text_tokens(text))
    charged = await meter.settle(spec.cost(usage.prompt_tokens, usage.completion_tokens),
                                 prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
    return Reply(meter.headers, body={
        "id": "imganalysis-" + secrets.token_hex(12), "object": "image.analysis", "created": int(time.time()),
        "model": spec.id, "text": text,
        "usage": {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
                  "total_tokens": usage.prompt_tokens + usage.completion_tokens, "cost": credits_json(charged)}})


def _image_source(request: ImageAnalysisParams, uploads: list[Blob]) -> str:
    """The image as the model will get it: a data: URL of checked bytes, or the client's http(s) URL."""
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
