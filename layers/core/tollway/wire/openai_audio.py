"""The audio endpoints' parameters: speech, transcriptions and translations (OpenAI's), and sound
generation (the gateway's own, served by ElevenLabs).

    >>> validate(SpeechCreateParams, {"model": "tts-1", "input": "hello"}).voice
    'alloy'
    >>> validate(TranscriptionCreateParams, {"model": "whisper-1", "response_format": "srt"}).upstream_fields()
    {'response_format': 'srt'}

`response_format: "url"` (speech and sound) is the gateway's extension: the audio is stored and a
presigned link returned instead of the bytes. A transcription's audio comes as a multipart `file`
or, in a JSON body, as base64 in `file` (a data: URL is fine) with an optional `filename`.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from tollway.errors import InvalidRequest
from tollway.wire.base64_data import decode_base64
from tollway.wire.media_types import Blob, check_audio

AUDIO_FIELDS = ("file", "audio", "base64")  # where a JSON body's base64 audio may be
SpeechFormat = Literal["mp3", "opus", "aac", "flac", "wav", "pcm", "url"]


class SpeechCreateParams(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str | None = Field(default=None, min_length=1, max_length=256)  # None: the catalog's default
    input: str = Field(min_length=1, max_length=4096)
    voice: str = Field(default="alloy", min_length=1, max_length=256)
    response_format: SpeechFormat = "mp3"
    speed: float | None = Field(default=None, ge=0.25, le=4.0)
    instructions: str | None = Field(default=None, max_length=4096)

    def passed_through(self) -> dict[str, Any]:
        own = {"model", "input", "voice", "response_format"}
        return {k: v for k, v in self.model_dump(exclude_none=True).items() if k not in own}


class InfraSpeechRequest(SpeechCreateParams):
    """POST /infra/ai/audio/speech: `response_format` is how the audio is delivered (base64 JSON or the
    bytes), `format` which audio format it is; the rest is /v1's speech request."""

    response_format: Literal["json", "binary"] = "json"  # type: ignore[assignment]
    format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] | None = None  # no `url`: that is a delivery

    def as_speech(self) -> dict[str, Any]:
        """The /v1 speech request this is."""
        body = self.model_dump(exclude_none=True, exclude={"response_format", "format"})
        return body | ({"response_format": self.format} if self.format is not None else {})


class TranslationCreateParams(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str | None = Field(default=None, min_length=1, max_length=256)  # None: the catalog's default
    prompt: str | None = Field(default=None, max_length=4096)
    response_format: Literal["json", "text", "srt", "vtt", "verbose_json"] = "json"
    temperature: float | None = Field(default=None, ge=0, le=1)
    # JSON bodies only: the audio as base64, and the name to give it.
    file: str | None = Field(default=None, min_length=1)
    filename: str | None = Field(default=None, min_length=1, max_length=255)

    @model_validator(mode="before")
    @classmethod
    def _audio_as_file(cls, data: Any) -> Any:
        """Older clients send the base64 audio as `audio` or `base64`: the same field as `file`."""
        if not isinstance(data, dict):
            return data
        given = [name for name in AUDIO_FIELDS if data.get(name) is not None]
        if len(given) > 1:
            raise InvalidRequest(f"{given[1]}: send the audio once, in one of {', '.join(AUDIO_FIELDS)}",
                                 code="invalid_value", param=given[1])
        if given and given[0] != "file":
            data = {k: v for k, v in data.items() if k != given[0]} | {"file": data[given[0]]}
        return data

    def upstream_fields(self) -> dict[str, str | list[str]]:
        """Multipart fields for an OpenAI-compatible upstream (what OpenAI's SDK would send)."""
        fields: dict[str, str | list[str]] = {}
        for name, value in self.model_dump(exclude_none=True, exclude={"model", "file", "filename"}).items():
            if isinstance(value, list):
                fields[f"{name}[]"] = [str(v) for v in value]
            elif isinstance(value, dict):
                fields[name] = json.dumps(value, separators=(",", ":"))  # e.g. chunking_strategy from JSON
            else:
                fields[name] = str(value).lower() if isinstance(value, bool) else str(value)
        return fields


class TranscriptionCreateParams(TranslationCreateParams):
    language: str | None = Field(default=None, pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$")
    timestamp_granularities: list[Literal["word", "segment"]] | None = None


class SoundGenerationParams(BaseModel):
    """POST /v1/audio/generation: a sound effect described by `prompt` (ElevenLabs calls it `text`)."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=1000, validation_alias=AliasChoices("prompt", "text"))
    model: str | None = Field(default=None, min_length=1, max_length=256)  # None: the catalog's default
    duration_seconds: float | None = Field(default=None, ge=0.5, le=30)
    prompt_influence: float | None = Field(default=None, ge=0, le=1)
    loop: bool = False
    response_format: Literal["mp3", "url"] = "mp3"


def audio_input(request: TranslationCreateParams, uploads: list[Blob]) -> Blob:
    """The audio to transcribe: the multipart `file`, or base64 in the JSON `file` field, checked
    (empty or corrupt → 400, not an audio format we take → 415)."""
    if uploads and request.file is not None:
        raise InvalidRequest("file: send the audio once, as a multipart file or as base64, not both",
                             code="invalid_value", param="file")
    if uploads:
        return check_audio(uploads[0].data, uploads[0].filename, uploads[0].content_type, param="file")
    if request.file is None:
        raise InvalidRequest("file: the audio to transcribe is required (a multipart file, or base64 in JSON)",
                             code="missing_file", param="file")
    try:
        data, declared = decode_base64(request.file)
    except ValueError:
        raise InvalidRequest("file: is not valid base64", code="invalid_base64", param="file") from None
    return check_audio(data, request.filename, declared, param="file")
