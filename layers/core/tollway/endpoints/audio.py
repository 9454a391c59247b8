"""Speech and sound effects from admission to settlement, streamed through as the upstream sends them.

    reply = await create_speech(caller, {"model": "tts-1", "input": "Hello"})
    reply.content_type      # "audio/mpeg"
    async for chunk in reply.chunks: ...   # settled when the stream ends, however it ends

Charging rule (a fixed price per request): a stream the upstream finishes costs the price; one the
upstream breaks costs nothing (the client got broken audio and the response is aborted, not
silently truncated); a client that leaves costs the price once audio reached it, nothing before.
With `response_format: "url"` the audio is collected, stored under the key's prefix and answered
as a presigned link.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.catalog import ModelSpec
from tollway.endpoints.media_call import choose, default_model, metered_call
from tollway.endpoints.reply import Reply
from tollway.errors import UpstreamError
from tollway.ledger import Bill, Ending, Meter, metered_stream
from tollway.ledger.money import format_credits
from tollway.providers.media_base import SOUND, SPEECH, AudioStream, SoundJob, SpeechJob
from tollway.providers.voices import voice_for
from tollway.storage.media import store_media
from tollway.wire.openai_audio import InfraSpeechRequest, SoundGenerationParams, SpeechCreateParams
from tollway.wire.validation import validate

MAX_STORED_BYTES = 64 * 1024 * 1024


async def create_speech(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(SpeechCreateParams, raw)
    spec, synthesizer = await choose(caller, request.model, "speech", SPEECH)
    as_url = request.response_format == "url"
    job = SpeechJob(spec.id, request.input, voice_for(spec.provider, request.voice),
                    "mp3" if as_url else request.response_format,
                    request.passed_through())
    return await _audio(caller, spec, "audio.speech", as_url, lambda: synthesizer.speech(job))


async def create_speech_object(caller: Caller, raw: dict[str, Any]) -> Reply:
    """POST /infra/ai/audio/speech: `response_format` says how the audio is delivered — `json` (the
    default: `{audio: base64, content_type, bytes, model}`) or `binary` (the bytes, streamed, as on
    /v1) — and `format` which audio format it is (mp3, opus, aac, flac, wav, pcm; default mp3)."""
    request = validate(InfraSpeechRequest, raw)
    delivery, body = request.response_format, request.as_speech()
    reply = await create_speech(caller, body)
    if delivery == "binary":
        return reply
    assert reply.chunks is not None
    audio = await _collect_reply(reply.chunks)  # settles the charge as a finished stream does
    return Reply(reply.headers, body={"object": "audio", "model": reply.headers.get("x-model-used"),
                                      "content_type": reply.content_type, "bytes": len(audio),
                                      "audio": base64.b64encode(audio).decode("ascii")})


async def _collect_reply(chunks: AsyncIterator[bytes]) -> bytes:
    parts, size = [], 0
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > MAX_STORED_BYTES:
                raise UpstreamError("the upstream's audio is larger than the gateway answers in JSON; "
                                    "ask for response_format binary")
            parts.append(chunk)
    finally:
        with anyio.CancelScope(shield=True):
            await chunks.aclose()  # type: ignore[attr-defined]
    return b"".join(parts)


async def generate_sound(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(SoundGenerationParams, raw)
    spec, generator = await choose(caller, request.model or default_model("sound"), "sound", SOUND)
    job = SoundJob(spec.id, request.prompt, request.duration_seconds, request.prompt_influence, request.loop)
    return await _audio(caller, spec, "audio.generation", request.response_format == "url",
                        lambda: generator.sound(job))


async def _audio(caller: Caller, spec: ModelSpec, endpoint: str, as_url: bool,
                 open_stream: Callable[[], Awaitable[AudioStream]]) -> Reply:
    price = spec.unit_cost(1)
    if as_url:
        async def stored() -> dict[str, Any]:
            stream = await open_stream()
            data = await _collect(stream)
            link = await anyio.to_thread.run_sync(store_media, caller.ref.id, data, stream.content_type)
            return {"id": link.id, "object": "media", "url": link.url, "expires_at": link.expires_at,
                    "content_type": link.content_type, "bytes": link.bytes}

        body, meter = await metered_call(caller, spec, endpoint, price, stored)
        await meter.settle(price)
        return Reply(meter.headers, body=body)

    stream, meter = await metered_call(caller, spec, endpoint, price, open_stream)
    meter.headers["x-credits-reserved"] = format_credits(price)
    return Reply(meter.headers, content_type=stream.content_type, chunks=_relay(stream, meter, price))


async def _collect(stream: AudioStream) -> bytes:
    parts, size = [], 0
    try:
        async for chunk in stream.chunks():
            size += len(chunk)
            if size > MAX_STORED_BYTES:
                raise UpstreamError("the upstream's audio is larger than the gateway stores")
            parts.append(chunk)
    finally:
        with anyio.CancelScope(shield=True):
            await stream.aclose()
    return b"".join(parts)


def _relay(stream: AudioStream, meter: Meter, price: int) -> AsyncIterator[bytes]:
    """Each upstream chunk as it arrives; charged by ledger.stream: the price once audio reached the
    client (or the whole answer did), nothing for an answer the upstream broke (it is aborted)."""
    delivered = False

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal delivered
        async for chunk in stream.chunks():
            yield chunk
            delivered = True

    def bill(ending: Ending) -> Bill:
        paid = ending is Ending.FINISHED or (delivered and ending is not Ending.UPSTREAM_FAILED)
        return Bill(price if paid else 0)

    return metered_stream(meter, chunks(), bill, close=stream.aclose, failure_frame=None)
