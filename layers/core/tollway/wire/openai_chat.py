"""The OpenAI Chat Completions request, validated at the edge.

Named after the API objects (as openai-python names them). Known fields are checked for type and
range so a bad value is a 400 naming its `param` before any credit is reserved; unknown fields are
kept (`extra="allow"`) and passed to the upstream unchanged, so new OpenAI parameters work without
a gateway release.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ChatCompletionMessageParam(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None

    @field_validator("content")
    @classmethod
    def _parts_have_types(cls, value: Any) -> Any:
        if isinstance(value, list):
            for part in value:
                if not isinstance(part.get("type"), str):
                    raise ValueError("every content part needs a string `type`")
        return value


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=256)
    messages: list[ChatCompletionMessageParam] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    n: int = Field(default=1, ge=1, le=16)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    stop: str | list[str] | None = None
    seed: int | None = None
    user: str | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    # Gateway fields, never sent upstream: alternatives tried when the model fails (OpenRouter's name
    # and ours).
    models: list[str] | None = Field(default=None, max_length=5)
    fallbacks: list[str] | None = Field(default=None, max_length=5)

    @field_validator("stop")
    @classmethod
    def _at_most_four_stops(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) > 4:
            raise ValueError("at most 4 stop sequences")
        return value

    @field_validator("tools")
    @classmethod
    def _tools_are_functions(cls, value: Any) -> Any:
        for tool in value or ():
            if tool.get("type") != "function" or not isinstance(tool.get("function"), dict):
                raise ValueError('each tool is {"type": "function", "function": {...}}')
            if not isinstance(tool["function"].get("name"), str):
                raise ValueError("each tool function needs a `name`")
        return value

    @field_validator("response_format")
    @classmethod
    def _known_response_format(cls, value: Any) -> Any:
        if value is not None and value.get("type") not in ("text", "json_object", "json_schema"):
            raise ValueError("response_format.type is one of text, json_object, json_schema")
        return value

    def requested_max_tokens(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens

    def wants_usage_chunk(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)
