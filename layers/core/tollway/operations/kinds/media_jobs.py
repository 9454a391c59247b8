"""Images, speech, transcriptions and translations as operations (`"async": true` on their endpoints): the
same models, prices and adapters as the synchronous calls, run by the worker instead of the
request, with the result kept in S3 for the client to fetch.

    order = IMAGE.order({"prompt": "a fox", "n": 2, "async": True, "webhook_url": "https://…"})
    order = TRANSCRIPTION_KIND.order_upload(fields, files)       # the audio waits in S3 for the worker

The image result is the JSON images.generate answers with `response_format: b64_json`; the
transcription result is the transcript in the requested `response_format`; the speech result is
the audio file. Each is charged for what was delivered (images returned; one transcription or
speech) and refunded if the upstream fails. A request naming no model gets the catalog's default.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import IO, Any

from tollway.catalog import require_capability, served_as
from tollway.catalog.media_models import GENERATE, TRANSCRIBE, TRANSLATE
from tollway.errors import InvalidRequest, UpstreamError
from tollway.operations import results
from tollway.operations.kinds.base import Order
from tollway.operations.records import Operation
from tollway.providers import adapter_for
from tollway.providers.jobs import JobStatus
from tollway.providers.media_base import (
    IMAGE_GENERATION, SPEECH, TRANSCRIPTION, TRANSLATION, ImageJob, SpeechJob, Transcript, TranscriptionJob)
from tollway.providers.voices import voice_for
from tollway.routing.defaults import default_model
from tollway.wire.media_types import Blob
from tollway.wire.openai_audio import (
    SpeechCreateParams, TranscriptionCreateParams, TranslationCreateParams, audio_input)
from tollway.wire.openai_images import ImageGenerateParams
from tollway.wire.operations import webhook_url_shape
from tollway.wire.validation import validate

ASYNC_FIELDS = ("async", "webhook_url")
MAX_SPEECH_BYTES = 64 * 1024 * 1024


def webhook(fields: dict[str, Any]) -> str | None:
    try:
        return webhook_url_shape(fields.get("webhook_url"))
    except ValueError as exc:
        raise InvalidRequest(f"webhook_url: {exc}", code="invalid_value", param="webhook_url") from None


class OneStep:
    """The upstream answers in one call, so the worker's submit finishes the job."""

    async def poll(self, op: Operation) -> JobStatus:
        raise UpstreamError("this job is done in one step")

    async def download(self, op: Operation, sink: IO[bytes], max_bytes: int) -> str:
        raise UpstreamError("this job is done in one step")

    async def cancel(self, op: Operation) -> None:
        return None  # nothing runs upstream between steps


class ImageKind(OneStep):
    name = "image"
    endpoint = "images.generations"
    result_stem = "images"

    def order(self, body: dict[str, Any]) -> Order:
        request = validate(ImageGenerateParams, {k: v for k, v in body.items() if k not in ASYNC_FIELDS})
        spec = served_as(request.model or default_model(GENERATE), "image")
        require_capability(spec, GENERATE, "image generation")
        adapter_for(spec.provider, IMAGE_GENERATION)  # 503/501 now, not in the worker
        params = {"prompt": request.prompt, "n": request.n, "extra": request.passed_through()}
        if request.size:
            params["size"] = request.size
        if request.steps is not None:
            params["steps"] = request.steps
        return Order(kind=self.name, endpoint=self.endpoint, model=spec.id, provider=spec.provider,
                     reserve=spec.unit_cost(request.n), params=params, webhook_url=webhook(body))

    def describe(self, op: Operation) -> dict[str, Any]:
        return {k: op.params[k] for k in ("n", "size") if k in op.params}

    async def submit(self, op: Operation) -> JobStatus:
        p = op.params
        job = ImageJob(op.model, p["prompt"], p["n"], p.get("size"), p.get("extra") or {}, p.get("steps"))
        pictures = (await adapter_for(op.provider, IMAGE_GENERATION).generate_images(job))[: p["n"]]
        if not pictures:
            return JobStatus("failed", message="The upstream returned no image", code="no_image")
        data = []
        for picture in pictures:
            item: dict[str, Any] = {"b64_json": base64.b64encode(picture.data).decode("ascii")}
            if picture.revised_prompt:
                item["revised_prompt"] = picture.revised_prompt
            data.append(item)
        body = json.dumps({"created": int(time.time()), "data": data}, separators=(",", ":")).encode()
        return JobStatus("succeeded", content=body, content_type="application/json", units=len(pictures))


class TranscriptionKind(OneStep):
    name = "transcription"
    endpoint = "audio.transcriptions"
    result_stem = "transcript"
    params_model: type[TranslationCreateParams] = TranscriptionCreateParams
    capability, what = TRANSCRIBE, "transcription"

    def order(self, body: dict[str, Any]) -> Order:
        raise NotImplementedError("transcriptions are ordered from their audio: order_upload")

    def order_upload(self, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Order:
        request = validate(self.params_model, {k: v for k, v in fields.items() if k not in ASYNC_FIELDS})
        audio = audio_input(request, files.get("file", []))
        spec = served_as(request.model if request.model is not None else default_model(self.capability), "transcription")
        require_capability(spec, self.capability, self.what)
        adapter_for(spec.provider, self.protocol())
        params = {"filename": audio.filename, "content_type": audio.content_type,
                  "response_format": request.response_format, "fields": request.upstream_fields()}
        return Order(kind=self.name, endpoint=self.endpoint, model=spec.id, provider=spec.provider,
                     reserve=spec.unit_cost(1), params=params, webhook_url=webhook(fields), upload=audio.data,
                     upload_type=audio.content_type or "application/octet-stream")

    def describe(self, op: Operation) -> dict[str, Any]:
        return {k: op.params[k] for k in ("filename", "response_format") if op.params.get(k)}

    async def submit(self, op: Operation) -> JobStatus:
        p = op.params
        data = await asyncio.to_thread(results.get_bytes, p["input_key"])
        job = TranscriptionJob(op.model, Blob(data, p.get("filename") or "audio", p.get("content_type") or ""),
                               p.get("fields") or {})
        transcript = await self.run(op, job)
        return JobStatus("succeeded", content=transcript.body, content_type=transcript.content_type, units=1)

    def protocol(self) -> Any:
        return TRANSCRIPTION

    async def run(self, op: Operation, job: TranscriptionJob) -> Transcript:
        return await adapter_for(op.provider, TRANSCRIPTION).transcribe(job)


class TranslationKind(TranscriptionKind):
    name = "translation"
    endpoint = "audio.translations"
    params_model = TranslationCreateParams
    capability, what = TRANSLATE, "audio translation"

    def protocol(self) -> Any:
        return TRANSLATION

    async def run(self, op: Operation, job: TranscriptionJob) -> Transcript:
        return await adapter_for(op.provider, TRANSLATION).translate(job)


class SpeechKind(OneStep):
    name = "speech"
    endpoint = "audio.speech"
    result_stem = "speech"

    def order(self, body: dict[str, Any]) -> Order:
        request = validate(SpeechCreateParams, {k: v for k, v in body.items() if k not in ASYNC_FIELDS})
        spec = served_as(request.model, "speech")
        adapter_for(spec.provider, SPEECH)
        # The result is a stored file whatever is asked: `url` is its usual format, mp3.
        fmt = "mp3" if request.response_format == "url" else request.response_format
        params = {"input": request.input, "voice": voice_for(spec.provider, request.voice), "response_format": fmt,
                  "extra": request.passed_through()}
        return Order(kind=self.name, endpoint=self.endpoint, model=spec.id, provider=spec.provider,
                     reserve=spec.unit_cost(1), params=params, webhook_url=webhook(body))

    def describe(self, op: Operation) -> dict[str, Any]:
        return {k: op.params[k] for k in ("voice", "response_format") if k in op.params}

    async def submit(self, op: Operation) -> JobStatus:
        p = op.params
        job = SpeechJob(op.model, p["input"], p["voice"], p["response_format"], p.get("extra") or {})
        stream = await adapter_for(op.provider, SPEECH).speech(job)
        parts, size = [], 0
        try:
            async for chunk in stream.chunks():
                size += len(chunk)
                if size > MAX_SPEECH_BYTES:
                    raise UpstreamError("the upstream's audio is larger than the gateway stores")
                parts.append(chunk)
        finally:
            await stream.aclose()
        return JobStatus("succeeded", content=b"".join(parts), content_type=stream.content_type, units=1)


IMAGE = ImageKind()
TRANSCRIPTION_KIND = TranscriptionKind()
TRANSLATION_KIND = TranslationKind()
SPEECH_KIND = SpeechKind()
