"""The images endpoints' parameters: generations (JSON), edits and variations (multipart fields), and
the gateway's own image analysis.

    >>> validate(ImageGenerateParams, {"prompt": "a red fox", "n": 2, "size": "512x512"}).n
    2
    >>> validate(ImageGenerateParams, {"prompt": "x", "size": "big"})
    Traceback (most recent call last):
    tollway.errors.InvalidRequest: size: must be WIDTHxHEIGHT in pixels, such as 1024x1024 (or auto)

Multipart values arrive as strings; pydantic's lax mode turns "2" into 2. Unknown fields (quality,
style, background, output_format…) are kept and passed to the upstream unchanged.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

SIZE = re.compile(r"^\d+x\d+$")
MAX_SIDE = 8192
# Fields the gateway handles itself; everything else is passed through.
OWN_FIELDS = frozenset({"model", "prompt", "n", "size", "response_format", "steps"})
MAX_STEPS = 16


class _ImageParams(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str | None = Field(default=None, min_length=1, max_length=256)
    n: int = Field(default=1, ge=1, le=4)
    size: str | None = None
    response_format: Literal["url", "b64_json"] | None = None
    user: str | None = None
    # Denoising steps, for the models that take them: each adapter maps it to its provider's own name.
    steps: int | None = Field(default=None, ge=1, le=MAX_STEPS, strict=True)

    @field_validator("size")
    @classmethod
    def _width_x_height(cls, value: str | None) -> str | None:
        if value is None or value == "auto":
            return value
        if not SIZE.match(value):
            raise ValueError("must be WIDTHxHEIGHT in pixels, such as 1024x1024 (or auto)")
        width, height = (int(side) for side in value.split("x"))
        if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
            raise ValueError(f"each side must be between 1 and {MAX_SIDE} pixels")
        return value

    def passed_through(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude_none=True).items() if k not in OWN_FIELDS}

    def delivery(self, model: str) -> str:
        """url or b64_json: as asked, else OpenAI's default for the model (URLs for DALL·E)."""
        return self.response_format or ("url" if model.startswith("dall-e") else "b64_json")


class ImageGenerateParams(_ImageParams):
    prompt: str = Field(min_length=1, max_length=32_000)


class ImageEditParams(_ImageParams):
    prompt: str = Field(min_length=1, max_length=32_000)


class ImageCreateVariationParams(_ImageParams):
    pass


class ImageAnalysisParams(BaseModel):
    """POST /v1/images/analysis: an image (upload, base64 or URL) and a prompt → text; or, as older
    clients send it, OpenAI vision `messages` (checked as a chat request) → a chat.completion."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(default=None, min_length=1, max_length=32_000)
    messages: list[Any] | None = Field(default=None, min_length=1)
    fallbacks: list[str] | None = Field(default=None, max_length=5)  # [] turns the vision fallback off
    temperature: float | None = Field(default=None, ge=0, le=2)
    model: str = Field(default="gpt-4o-mini", min_length=1, max_length=256)
    image: str | None = Field(default=None, min_length=1, description="base64 or a data: URL")
    image_url: str | None = Field(default=None, max_length=8192)
    detail: Literal["auto", "low", "high"] = "auto"
    max_tokens: int = Field(default=512, ge=1, le=16_384)

    @field_validator("image_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http:// or https:// URL")
        return value
