"""OpenAI's Responses API request (POST /v1/responses, /infra/ai/responses), validated at the edge.

    request = validate(ResponseCreateParams, raw)     # or a 400 naming its param

Named as openai-python names them (`types/responses/response_create_params.py`). The fields the
gateway reads are checked for type and range before anything is reserved; the rest is kept
(`extra="allow"`) and passed on to OpenAI, or dropped when the request is translated to chat for
another provider. `messages` (a chat message list) is accepted beside `input`, as the older clients
of this API family send it.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from tollway.errors import InvalidRequest

from tollway.wire.openai_chat import ChatCompletionMessageParam

# The bound the product sets on one answer of this API (the Responses surface's own limit).
MAX_OUTPUT_TOKENS = 8_192
QUALITIES = ("auto", "low", "high", "ultra")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class ResponseFormatTextConfig(_Open):
    """`text.format` (and the older `response_format`): text, json_object, or json_schema."""

    model_config = ConfigDict(extra="allow", strict=True, serialize_by_alias=True)

    type: Literal["text", "json_object", "json_schema"]
    name: str | None = Field(default=None, max_length=64)
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None
    json_schema: dict[str, Any] | None = None  # chat's nesting, which clients also send as response_format


class ResponseTextConfig(_Open):
    format: ResponseFormatTextConfig | None = None


class FunctionTool(_Open):
    type: str
    name: str | None = Field(default=None, max_length=64)
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class ResponseCreateParams(_Open):
    model: str = Field(min_length=1, max_length=256)
    input: str | list[dict[str, Any]] | None = None
    instructions: str | None = None
    messages: list[ChatCompletionMessageParam] | None = Field(default=None, min_length=1)
    stream: bool = False
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_output_tokens: int | None = Field(default=None, ge=1, le=MAX_OUTPUT_TOKENS)
    text: ResponseTextConfig | None = None
    response_format: ResponseFormatTextConfig | None = None
    tools: list[FunctionTool] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    store: bool | None = None
    previous_response_id: str | None = None
    metadata: dict[str, str] | None = None
    user: str | None = None
    quality: Literal["auto", "low", "high", "ultra"] | None = None
    models: list[str] | None = Field(default=None, max_length=5)
    fallbacks: list[str] | None = Field(default=None, max_length=5)

    @field_validator("stream", mode="before")
    @classmethod
    def _null_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        return cls.model_fields[info.field_name or ""].default if value is None else value

    @field_validator("input")
    @classmethod
    def _input_is_not_empty(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("at least one input item")
        return value

    def refuse_stored_state(self) -> None:
        """A response stored at OpenAI lives in the operator's account, shared by every key of this gateway:
        a key that learned another key's response id could read or continue its conversation. So nothing
        is stored, and a conversation goes on by being sent again as `input`."""
        if self.store:
            raise InvalidRequest("store: this gateway stores no responses at the provider; omit it or send false",
                                 code="unsupported_parameter", param="store")
        if self.previous_response_id is not None:
            raise InvalidRequest("previous_response_id: this gateway keeps no conversation state; send the whole "
                                 "conversation as `input`", code="unsupported_parameter",
                                 param="previous_response_id")

    def format(self) -> ResponseFormatTextConfig | None:
        """The structured-output request, wherever the client put it (`text.format` is OpenAI's)."""
        if self.text is not None and self.text.format is not None:
            return self.text.format
        return self.response_format


def response_id() -> str:
    return "resp_" + secrets.token_hex(24)


def item_id(prefix: str) -> str:
    return f"{prefix}_" + secrets.token_hex(24)
