"""Request bodies of the async generation endpoints: POST /v1/videos/generations (and OpenAI's
POST /v1/videos) and POST /v1/music/generations.

    >>> validate(VideoGenerationRequest, {"model": "sora-2", "prompt": "a cat", "seconds": "8"}).seconds
    8

Model-specific inputs of a Replicate-style model go in `input`, passed to the model as they are.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_URL_LENGTH = 2048
MAX_PROMPT_CHARS = 32_000


def wants_async(fields: dict[str, Any]) -> bool:
    """`"async": true` (JSON) or `async=true` (a form field): run the call as an operation."""
    value = fields.get("async")
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1"))


def webhook_url_shape(value: str | None) -> str | None:
    """Shape only; whether the gateway may call it (DNS, private addresses) is checked at submit."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not contain credentials")
    return value


class JobRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    input: dict[str, Any] | None = Field(default=None, description="a Replicate-style model's own inputs")
    webhook_url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return webhook_url_shape(value)


class VideoGenerationRequest(JobRequestBody):
    model: str = Field(default="sora-2", min_length=1, max_length=200)
    seconds: int | None = Field(default=None, ge=1, le=60, description="default 4 (Sora)")
    size: str | None = Field(default=None, pattern=r"^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$")


class MusicGenerationRequest(JobRequestBody):
    model: str = Field(default="music_v1", min_length=1, max_length=200)
    seconds: int | None = Field(default=None, ge=3, le=600, description="default 30 (ElevenLabs)")
    force_instrumental: bool | None = None


class WebhookTopicRequest(BaseModel):
    """POST /v1/webhooks: a named endpoint the key's async requests can give as `webhook_topic`."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH)

    @field_validator("url")
    @classmethod
    def _https_url(cls, value: str) -> str:
        webhook_url_shape(value)
        return value
