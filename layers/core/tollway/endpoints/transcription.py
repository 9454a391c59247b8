"""Transcriptions and translations (speech → text) from admission to settlement.

    reply = await transcribe(caller, {"model": "whisper-1", "response_format": "srt"}, {"file": [blob]})
    reply.content, reply.content_type      # the upstream's SRT text, "text/plain; charset=utf-8"

The audio is a multipart `file`, base64 in a JSON `file` (or `audio`, `base64`) field, or an object
of the caller's storage named by `storage_ref`; either way its bytes are checked
(empty or corrupt → 400, not an audio format we take → 415) before anything is reserved. A fixed
price per request, charged when the upstream answers and refunded when it fails.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tollway.auth.caller import Caller
from tollway.catalog import ModelSpec
from tollway.catalog.media_models import TRANSCRIBE, TRANSLATE
from tollway.endpoints.media_call import choose, default_model, metered_call, require
from tollway.endpoints.reply import Reply
from tollway.endpoints.storage_inputs import with_storage_ref
from tollway.providers.media_base import TRANSCRIPTION, TRANSLATION, Capability, Transcript, TranscriptionJob
from tollway.wire.media_types import Blob
from tollway.wire.openai_audio import TranscriptionCreateParams, TranslationCreateParams, audio_input
from tollway.wire.validation import validate

JSON_FORMATS = ("json", "verbose_json")
C = TypeVar("C")


async def transcribe(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    fields, files = await with_storage_ref(caller, fields, files, "file")
    request = validate(TranscriptionCreateParams, fields)
    spec, transcriber = await _prepare(caller, request, TRANSCRIBE, TRANSCRIPTION, "transcription")
    job = TranscriptionJob(spec.id, audio_input(request, files.get("file", [])), request.upstream_fields())
    return await _run(caller, spec, "audio.transcriptions", request, lambda: transcriber.transcribe(job))


async def translate(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    fields, files = await with_storage_ref(caller, fields, files, "file")
    request = validate(TranslationCreateParams, fields)
    spec, translator = await _prepare(caller, request, TRANSLATE, TRANSLATION, "audio translation")
    job = TranscriptionJob(spec.id, audio_input(request, files.get("file", [])), request.upstream_fields())
    return await _run(caller, spec, "audio.translations", request, lambda: translator.translate(job))


async def _prepare(caller: Caller, request: TranslationCreateParams, capability: str, protocol: Capability[C],
                   what: str) -> tuple[ModelSpec, C]:
    caller.ref  # a malformed key is a 401 before anything else
    spec, adapter = await choose(caller, request.model or default_model(capability), "transcription", protocol)
    await require(caller, spec, capability, what)
    return spec, adapter


async def _run(caller: Caller, spec: ModelSpec, endpoint: str, request: TranslationCreateParams,
               work: Callable[[], Awaitable[Transcript]]) -> Reply:
    transcript, meter = await metered_call(caller, spec, endpoint, spec.unit_cost(1), work)
    await meter.settle(spec.unit_cost(1))
    return Reply(meter.headers, content=transcript.body, content_type=_content_type(request.response_format))


def _content_type(response_format: str) -> str:
    return "application/json" if response_format in JSON_FORMATS else "text/plain; charset=utf-8"
