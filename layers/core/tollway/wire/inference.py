"""The native Inference API's wire format (/api/v1/inference): camelCase bodies, one envelope.

    envelope({"content": "hi"})                   # {"success": true, "data": {"content": "hi"}}
    envelope_error(402, "insufficient_credits", "…")  # {"success": false, "error": {"code": "PAYMENT_REQUIRED", …}}
    request = validate(InferenceChatRequest, raw)
    request.openai_body("gpt-4o")                 # the same request on /v1/chat/completions

Request bodies are strict (a string is not a number) and refuse unknown fields: a misspelt
`max_tokens` for `maxTokens` is a 400, not a silently ignored limit.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tollway.wire.validation import MAX_TOKENS

# Status → the envelope's code; a few domain codes are told apart within one status.
_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 402: "PAYMENT_REQUIRED", 403: "FORBIDDEN", 404: "NOT_FOUND",
          405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE",
          429: "RATE_LIMITED", 499: "CLIENT_CLOSED_REQUEST", 500: "INTERNAL_ERROR", 501: "NOT_IMPLEMENTED",
          502: "UPSTREAM_ERROR", 503: "UPSTREAM_ERROR", 504: "UPSTREAM_TIMEOUT"}
_BY_DOMAIN_CODE = {"provider_not_configured": "NOT_CONFIGURED", "request_time_limit": "UPSTREAM_TIMEOUT"}


def envelope(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def envelope_code(status: int, code: str | None) -> str:
    fallback = "BAD_REQUEST" if status < 500 else "INTERNAL_ERROR"
    return _BY_DOMAIN_CODE.get(code or "") or _CODES.get(status) or fallback


def envelope_error(status: int, code: str | None, message: str) -> dict[str, Any]:
    return {"success": False, "error": {"code": envelope_code(status, code), "message": message}}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# -- chat ----------------------------------------------------------------------------------------


class InferenceMessage(_Strict):
    role: Literal["system", "user", "assistant"]
    content: str | list[dict[str, Any]] = Field(min_length=1)


class InferenceChatRequest(_Strict):
    model: str | None = Field(default=None, min_length=1, max_length=512)
    messages: list[InferenceMessage] = Field(min_length=1, max_length=10_000)
    system: str | None = None
    maxTokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    temperature: float | None = Field(default=None, ge=0, le=2)
    providerId: str | None = Field(default=None, min_length=1, max_length=128)

    @field_validator("temperature", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def openai_body(self, model: str, *, stream: bool) -> dict[str, Any]:
        messages = [m.model_dump() for m in self.messages]
        if self.system is not None:
            messages.insert(0, {"role": "system", "content": self.system})
        body: dict[str, Any] = {"model": model, "messages": messages}
        if self.maxTokens is not None:
            body["max_tokens"] = self.maxTokens
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body


def chat_data(completion: dict[str, Any]) -> dict[str, Any]:
    """A ChatCompletion as the native answer: {content, model, usage, finishReason}."""
    choice = (completion.get("choices") or [{}])[0]
    usage = completion.get("usage") or {}
    return {"content": (choice.get("message") or {}).get("content") or "", "model": completion.get("model"),
            "usage": usage_data(usage), "finishReason": choice.get("finish_reason")}


def usage_data(usage: dict[str, Any]) -> dict[str, Any]:
    data = {"inputTokens": int(usage.get("prompt_tokens") or 0),
            "outputTokens": int(usage.get("completion_tokens") or 0)}
    if usage.get("cost") is not None:
        data["credits"] = usage["cost"]
    return data


# -- embeddings, images, transcription ---------------------------------------------------------


class InferenceEmbedRequest(_Strict):
    model: str = Field(min_length=1, max_length=512)
    input: str | list[str]
    dimensions: int | None = Field(default=None, ge=1, le=65_536)
    providerId: str | None = Field(default=None, min_length=1, max_length=128)


class InferenceImagesRequest(_Strict):
    model: str = Field(default="gpt-image-1", min_length=1, max_length=512)
    prompt: str = Field(min_length=1)
    n: int | None = Field(default=None, ge=1, le=10)
    size: str | None = Field(default=None, max_length=32)
    quality: str | None = Field(default=None, max_length=32)
    responseFormat: Literal["url", "b64_json"] | None = None
    providerId: str | None = Field(default=None, min_length=1, max_length=128)


class InferenceTranscribeFields(_Strict):
    model: str = Field(default="whisper-1", min_length=1, max_length=512)
    audio: str | None = None  # base64 (JSON bodies); multipart bodies send a `file` part instead
    filename: str | None = Field(default=None, max_length=255)
    language: str | None = Field(default=None, max_length=16)
    prompt: str | None = None
    providerId: str | None = Field(default=None, min_length=1, max_length=128)


# -- providers and models ----------------------------------------------------------------------

PROVIDER_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
ENV_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


class TokenPrice(_Strict):
    """Credits per token, as decimal strings (or numbers) exact to the micro-credit."""

    input: str | int | float
    output: str | int | float

    def micro(self, model: str) -> tuple[int, int]:
        return _micro(self.input, f"prices.{model}.input"), _micro(self.output, f"prices.{model}.output")


def _micro(value: str | float, param: str) -> int:
    from tollway.errors import InvalidRequest

    try:
        micro = Decimal(str(value)) * 1_000_000
    except InvalidOperation:
        raise InvalidRequest(f"{param}: must be a decimal number of credits per token", param=param) from None
    if not micro.is_finite() or micro < 0 or micro != micro.to_integral_value() or micro > 10**12:
        raise InvalidRequest(f"{param}: must be a non-negative number of credits per token, exact to 0.000001",
                             param=param)
    return int(micro)


class ProviderFields(_Strict):
    name: str | None = Field(default=None, pattern=PROVIDER_NAME.pattern)
    type: str | None = Field(default=None, max_length=32)
    baseUrl: str | None = Field(default=None, max_length=2048)
    envVar: str | None = Field(default=None, pattern=ENV_VAR.pattern)
    defaultModel: str | None = Field(default=None, min_length=1, max_length=512)
    prices: dict[str, TokenPrice] | None = Field(default=None, max_length=1000)


class ProviderCreate(ProviderFields):
    name: str = Field(pattern=PROVIDER_NAME.pattern)
    type: str = Field(max_length=32)
    baseUrl: str = Field(max_length=2048)


class ModelsSyncRequest(_Strict):
    provider: str = Field(min_length=1, max_length=128)
