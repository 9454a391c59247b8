"""ElevenLabs: text to speech and sound effects, relayed as audio bytes.

    provider = ElevenLabs(instance("elevenlabs"))     # ELEVENLABS_API_KEY, ELEVENLABS_BASE_URL
    audio = await provider.speech(SpeechJob("eleven_multilingual_v2", "Hello", "alloy", "mp3"))
    async for chunk in audio.chunks(): ...

Speech is `POST /v1/text-to-speech/{voice_id}?output_format=…` {text, model_id}; sound effects are
`POST /v1/sound-generation?output_format=…` {text, duration_seconds, prompt_influence, model_id}.
Voice names map to voice ids (providers/voices.py); a 20-character voice id is taken as it is.
"""

from __future__ import annotations

from typing import Any

from tollway.errors import InvalidRequest
from tollway.providers.media_base import SoundJob, SpeechJob
from tollway.providers.http_upstream import ResponseBytes, UpstreamHTTP
from tollway.providers.instances import ProviderInstance
from tollway.providers.voices import AS_ELEVENLABS as VOICES
from tollway.providers.voices import RACHEL, voice_for
from tollway.wire.media_types import SPEECH_TYPES

__all__ = ["RACHEL", "VOICES", "ElevenLabs"]
# OpenAI's pcm is 24 kHz 16-bit mono, which ElevenLabs also offers.
OUTPUT_FORMATS = {"mp3": "mp3_44100_128", "opus": "opus_48000_128", "pcm": "pcm_24000"}


def _detail(parsed: Any) -> str | None:
    detail = parsed.get("detail") if isinstance(parsed, dict) else None
    if isinstance(detail, dict):
        detail = detail.get("message")
    elif isinstance(detail, list) and detail and isinstance(detail[0], dict):
        detail = detail[0].get("msg")
    return detail if isinstance(detail, str) else None


class ElevenLabs:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name
        self.http = UpstreamHTTP(instance.upstream(auth_header="xi-api-key"),
                                 error_message=_detail)

    def configured(self) -> bool:
        return self.http.configured()

    async def speech(self, job: SpeechJob) -> ResponseBytes:
        output = OUTPUT_FORMATS.get(job.response_format)
        if output is None:
            raise InvalidRequest(f"response_format: ElevenLabs voices speak {', '.join(OUTPUT_FORMATS)}, "
                                 f"not {job.response_format}", code="invalid_value", param="response_format")
        voice = voice_for(self.name, job.voice)  # the endpoint's mapping, again for direct callers
        body: dict[str, Any] = {"text": job.input, "model_id": job.model}
        if job.extra.get("speed") is not None:
            body["voice_settings"] = {"speed": job.extra["speed"]}
        path = self.http.path("/v1/text-to-speech/{voice}", voice=voice)
        response = await self.http.open("POST", path, params={"output_format": output}, json=body)
        return ResponseBytes(self.name, response, _content_type(response.headers.get("content-type"),
                                                                  job.response_format))

    async def sound(self, job: SoundJob) -> ResponseBytes:
        body: dict[str, Any] = {"text": job.prompt, "model_id": job.model}
        if job.duration_seconds is not None:
            body["duration_seconds"] = job.duration_seconds
        if job.prompt_influence is not None:
            body["prompt_influence"] = job.prompt_influence
        if job.loop:
            body["loop"] = True
        response = await self.http.open("POST", "/v1/sound-generation", params={"output_format": OUTPUT_FORMATS["mp3"]},
                                        json=body)
        return ResponseBytes(self.name, response, _content_type(response.headers.get("content-type"), "mp3"))


def _content_type(upstream: str | None, response_format: str) -> str:
    if upstream and upstream.split(";")[0].strip() not in ("", "application/octet-stream"):
        return upstream
    return SPEECH_TYPES[response_format]
