"""POST /api/v1/inference/embed, /images and /transcribe: camelCase bodies in, enveloped answers out,
each answered by the same use case as its /v1 twin (so the same price, admission and record).

    reply = await native_embed(caller, {"model": "text-embedding-3-small", "input": ["a", "b"]})
    reply.body   # {"success": true, "data": {"embeddings": [[…], […]], "model", "usage": {"inputTokens"}}}
    reply = await native_images(caller, {"model": "dall-e-3", "prompt": "a lighthouse"})
    reply = await native_transcribe(caller, {"model": "whisper-1", "audio": "<base64>"}, {})

`providerId` may name the built-in provider the model is served by; providers registered at run
time serve chat only (their media would be sent under the gateway's name of the model).
"""

from __future__ import annotations

import json
from typing import Any

from tollway.auth.caller import Caller
from tollway.catalog.spec import Kind
from tollway.endpoints.reply import Reply
from tollway.errors import InvalidRequest, NotFound, UpstreamError
from tollway.wire.inference import InferenceEmbedRequest, InferenceImagesRequest, InferenceTranscribeFields, envelope
from tollway.wire.media_types import Blob
from tollway.wire.validation import validate


def _check_provider(model: str, kind: Kind, provider_id: str | None) -> None:
    if provider_id is None:
        return
    from tollway.catalog import resolve
    from tollway.catalog.provider_registry import snapshot
    from tollway.providers.instances import instance

    if snapshot().by_ref(provider_id) is not None:
        raise InvalidRequest(f"providerId: registered providers serve /chat and /chat/stream only, not {kind}s",
                             param="providerId")
    if instance(provider_id) is None:
        raise NotFound(f"providerId: no provider {provider_id!r}", param="providerId")
    spec = resolve(model, kind)
    if spec is not None and spec.provider != provider_id:
        raise InvalidRequest(f"providerId: {model!r} is served by {spec.provider!r}, not {provider_id!r}",
                             param="providerId")


async def native_embed(caller: Caller, raw: dict[str, Any]) -> Reply:
    from tollway.endpoints.embeddings import create_embeddings

    caller.ref
    request = validate(InferenceEmbedRequest, raw)
    _check_provider(request.model, "embedding", request.providerId)
    body: dict[str, Any] = {"model": request.model, "input": request.input, "encoding_format": "float"}
    if request.dimensions is not None:
        body["dimensions"] = request.dimensions
    reply = await create_embeddings(caller, body)
    answer = reply.body or {}
    data = sorted(answer.get("data") or [], key=lambda d: d.get("index", 0))
    usage = answer.get("usage") or {}
    return Reply(reply.headers, body=envelope({
        "embeddings": [d.get("embedding") for d in data], "model": answer.get("model") or request.model,
        "usage": {"inputTokens": int(usage.get("prompt_tokens") or 0)}}))


async def native_images(caller: Caller, raw: dict[str, Any]) -> Reply:
    from tollway.endpoints.images import generate_images

    caller.ref
    request = validate(InferenceImagesRequest, raw)
    _check_provider(request.model, "image", request.providerId)
    body: dict[str, Any] = {"model": request.model, "prompt": request.prompt}
    for name, value in (("n", request.n), ("size", request.size), ("quality", request.quality),
                        ("response_format", request.responseFormat)):
        if value is not None:
            body[name] = value
    reply = await generate_images(caller, body)
    images = []
    for item in (reply.body or {}).get("data") or []:
        image = {"url": item.get("url")} if item.get("url") else {"b64Json": item.get("b64_json")}
        if item.get("revised_prompt"):
            image["revisedPrompt"] = item["revised_prompt"]
        images.append(image)
    return Reply(reply.headers, body=envelope({"images": images, "model": request.model}))


async def native_transcribe(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    from tollway.endpoints.transcription import transcribe

    caller.ref
    request = validate(InferenceTranscribeFields, fields)
    _check_provider(request.model, "transcription", request.providerId)
    uploads = files.get("file") or files.get("audio") or []
    if not uploads and request.audio is None:
        raise InvalidRequest("audio: the audio to transcribe is required (base64 in `audio`, or a multipart `file`)",
                             param="audio")
    body: dict[str, Any] = {"model": request.model, "response_format": "json"}
    for name, value in (("file", request.audio), ("filename", request.filename), ("language", request.language),
                        ("prompt", request.prompt)):
        if value is not None:
            body[name] = value
    reply = await transcribe(caller, body, {"file": uploads} if uploads else {})
    try:
        text = json.loads(reply.content or b"{}").get("text")
    except (ValueError, AttributeError):
        raise UpstreamError("The transcription answer could not be read") from None
    return Reply(reply.headers, body=envelope({"text": text if isinstance(text, str) else "", "model": request.model}))
