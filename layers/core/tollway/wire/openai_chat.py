"""The OpenAI Chat Completions request, validated at the edge.

Named after the API objects (as openai-python names them). Known fields are checked for type and
range so a bad value is a 400 naming its `param` before any credit is reserved; unknown fields are
kept (`extra="allow"`) and passed to the upstream unchanged, so new OpenAI parameters work without
a gateway release.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationInfo, field_validator

from tollway.wire.validation import INT64, MAX_TOKENS, tagged_by_type


class _Open(BaseModel):
    # Strict: the body is passed upstream as sent, so what passes here must be what it says it is
    # (`"max_tokens": "5"` or `"dimensions": true` would be 5 and 1 here and something else there).
    model_config = ConfigDict(extra="allow", strict=True)


class ChatCompletionContentPartTextParam(_Open):
    type: Literal["text"]
    text: str


class ImageURL(_Open):
    url: str
    detail: Literal["auto", "low", "high"] | None = None


class ChatCompletionContentPartImageParam(_Open):
    type: Literal["image_url"]
    image_url: ImageURL | str  # a bare URL string is not OpenAI's shape, but clients send it


class InputAudio(_Open):
    data: str
    format: str


class ChatCompletionContentPartInputAudioParam(_Open):
    type: Literal["input_audio"]
    input_audio: InputAudio


class FileContent(_Open):
    file_data: str | None = None
    file_id: str | None = None
    filename: str | None = None


class ChatCompletionContentPartFileParam(_Open):
    type: Literal["file"]
    file: FileContent


class ChatCompletionContentPartRefusalParam(_Open):
    type: Literal["refusal"]
    refusal: str


class OtherContentPart(_Open):
    """Part types this code does not model (an OpenAI-compatible server's own): its upstream judges."""

    type: str


_PARTS = ("text", "image_url", "input_audio", "file", "refusal")

# Tags are written <like-this> so tollway.wire.validation can drop them from error paths.
ChatCompletionContentPartParam = Annotated[
    Annotated[ChatCompletionContentPartTextParam, Tag("<text>")]
    | Annotated[ChatCompletionContentPartImageParam, Tag("<image_url>")]
    | Annotated[ChatCompletionContentPartInputAudioParam, Tag("<input_audio>")]
    | Annotated[ChatCompletionContentPartFileParam, Tag("<file>")]
    | Annotated[ChatCompletionContentPartRefusalParam, Tag("<refusal>")]
    | Annotated[OtherContentPart, Tag("<other>")], Discriminator(tagged_by_type(_PARTS))]


class Function(_Open):
    name: str
    arguments: str | dict[str, Any] | None = None  # a JSON string; some clients send the object


class ChatCompletionMessageToolCallParam(_Open):
    id: str | None = None
    type: str = "function"
    function: Function


class ChatCompletionMessageParam(_Open):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ChatCompletionContentPartParam] | None = None
    name: str | None = None
    tool_calls: list[ChatCompletionMessageToolCallParam] | None = None
    tool_call_id: str | None = None
    function_call: dict[str, Any] | None = None


class StreamOptions(_Open):
    include_usage: bool | None = False


class NamedFunction(_Open):
    name: str


class ChosenTool(_Open):
    type: str | None = None
    function: NamedFunction | None = None


class AllowedTools(_Open):
    mode: str | None = None
    tools: list[ChosenTool] | None = None


class ToolChoice(_Open):
    """`{"type": "function", "function": {"name": …}}`, `{"type": "allowed_tools", …}` or newer kinds."""

    type: str
    function: NamedFunction | None = None
    allowed_tools: AllowedTools | None = None


class ResponseFormatJSONSchema(_Open):
    model_config = ConfigDict(serialize_by_alias=True)

    name: str | None = None
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormat(_Open):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: ResponseFormatJSONSchema | None = None


class ChatCompletionRequest(_Open):
    model: str = Field(min_length=1, max_length=256)
    messages: list[ChatCompletionMessageParam] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    n: int = Field(default=1, ge=1, le=16)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    stop: str | list[str] | None = None
    seed: int | None = Field(default=None, ge=-INT64, le=INT64 - 1)
    user: str | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    # Gateway fields, never sent upstream: alternatives tried when the model fails (OpenRouter's name
    # and ours).
    models: list[str] | None = Field(default=None, max_length=5)
    fallbacks: list[str] | None = Field(default=None, max_length=5)
    quality: Literal["auto", "low", "high", "ultra"] | None = None  # routing/quality.py

    @field_validator("stream", "n", mode="before")
    @classmethod
    def _null_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        """OpenAI's API reads null as "not set" for every optional parameter."""
        return cls.model_fields[info.field_name or ""].default if value is None else value

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
            function = tool["function"]
            if not isinstance(function.get("name"), str):
                raise ValueError("each tool function needs a `name`")
            if not isinstance(function.get("description"), (str, type(None))):
                raise ValueError("a tool function's `description` is a string")
            if not isinstance(function.get("parameters"), (dict, type(None))):
                raise ValueError("a tool function's `parameters` is a JSON Schema object")
        return value

    def requested_max_tokens(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens

    def wants_usage_chunk(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)
