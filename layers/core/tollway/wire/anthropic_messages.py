"""The Anthropic Messages request as /v1/messages validates it, and Anthropic-shaped error bodies.

    request = validate(MessageCreateParams, raw)   # tollway.wire.validation: a 400 naming `param`
    request.max_tokens, request.messages[0].content
    error_body(exc)    # {"type": "error", "error": {"type": "invalid_request_error", "message": ...}}

Named after the API objects as the anthropic SDK names them. Known fields are checked (type,
range, required) so a bad request is a 400 before any credit is reserved; unknown fields and
unknown content-block or tool types are kept (`extra="allow"`), so a claude-* request passes to
Anthropic natively even when it uses parameters newer than this code. The translators for
other models refuse what they cannot express, naming the `param`.

`max_tokens` must be at least 1 here, although Anthropic itself now takes 0 (to warm the prompt
cache without generating): every other provider rejects 0, and a gateway request that produces
nothing has no use.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StrictBool, Tag, field_validator

from tollway.errors import TollwayError
from tollway.wire.validation import MAX_TOKENS, tagged_by_type


class _Open(BaseModel):
    # Strict, as the chat request: what passes here is sent upstream as it came.
    model_config = ConfigDict(extra="allow", strict=True)


class Base64ImageSource(_Open):
    type: Literal["base64"]
    media_type: Literal["image/jpeg", "image/png", "image/gif", "image/webp"]
    data: str = Field(min_length=1)


class URLImageSource(_Open):
    type: Literal["url"]
    url: str = Field(min_length=1)


class OtherSource(_Open):
    """Sources this code does not model (file ids, …): kept for Anthropic to judge."""

    type: str


def _source_kind(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"<{kind if kind in ('base64', 'url') else 'other'}>"


# Tags are written <like-this> so tollway.wire.validation can drop them from error paths.
ImageSource = Annotated[Annotated[Base64ImageSource, Tag("<base64>")] | Annotated[URLImageSource, Tag("<url>")]
                        | Annotated[OtherSource, Tag("<other>")], Discriminator(_source_kind)]


class TextBlockParam(_Open):
    type: Literal["text"]
    text: str


class OtherBlockParam(_Open):
    """Block types this code does not model (server tool results, search results, …)."""

    type: str


class ImageBlockParam(_Open):
    type: Literal["image"]
    source: ImageSource


class Base64DocumentSource(_Open):
    type: Literal["base64"]
    media_type: str
    data: str


class PlainTextSource(_Open):
    type: Literal["text"]
    media_type: str | None = None
    data: str


class URLDocumentSource(_Open):
    type: Literal["url"]
    url: str


class ContentBlockSource(_Open):
    type: Literal["content"]
    content: str | list[Annotated[Annotated[TextBlockParam, Tag("<text>")] | Annotated[ImageBlockParam, Tag("<image>")]
                                  | Annotated[OtherBlockParam, Tag("<other>")],
                                  Discriminator(tagged_by_type(("text", "image")))]]


DocumentSource = Annotated[
    Annotated[Base64DocumentSource, Tag("<base64>")] | Annotated[PlainTextSource, Tag("<text>")]
    | Annotated[URLDocumentSource, Tag("<url>")] | Annotated[ContentBlockSource, Tag("<content>")]
    | Annotated[OtherSource, Tag("<other>")], Discriminator(tagged_by_type(("base64", "text", "url", "content")))]


class DocumentBlockParam(_Open):
    type: Literal["document"]
    source: DocumentSource
    title: str | None = None


class ToolUseBlockParam(_Open):
    type: Literal["tool_use"]
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    input: dict[str, Any]


ToolResultContent = Annotated[
    Annotated[TextBlockParam, Tag("<text>")] | Annotated[ImageBlockParam, Tag("<image>")]
    | Annotated[DocumentBlockParam, Tag("<document>")] | Annotated[OtherBlockParam, Tag("<other>")],
    Discriminator(tagged_by_type(("text", "image", "document")))]


class ToolResultBlockParam(_Open):
    type: Literal["tool_result"]
    tool_use_id: str = Field(min_length=1)
    content: str | list[ToolResultContent] | None = None
    is_error: bool | None = None


class ThinkingBlockParam(_Open):
    type: Literal["thinking"]
    thinking: str
    signature: str


class RedactedThinkingBlockParam(_Open):
    type: Literal["redacted_thinking"]
    data: str


_BLOCKS = ("text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking")


def _block_kind(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"<{kind if kind in _BLOCKS else 'other'}>"


ContentBlockParam = Annotated[
    Annotated[TextBlockParam, Tag("<text>")] | Annotated[ImageBlockParam, Tag("<image>")]
    | Annotated[DocumentBlockParam, Tag("<document>")] | Annotated[ToolUseBlockParam, Tag("<tool_use>")]
    | Annotated[ToolResultBlockParam, Tag("<tool_result>")] | Annotated[ThinkingBlockParam, Tag("<thinking>")]
    | Annotated[RedactedThinkingBlockParam, Tag("<redacted_thinking>")]
    | Annotated[OtherBlockParam, Tag("<other>")], Discriminator(_block_kind)]


class MessageParam(_Open):
    # "system" mid-conversation is newer API (anthropic SDK 2.x SystemMessageParam): text only.
    role: Literal["user", "assistant", "system"]
    content: str | list[ContentBlockParam]


class ToolParam(_Open):
    """A client tool (`type` absent or "custom", with `input_schema`) or a server tool (other `type`)."""

    name: str = Field(min_length=1, max_length=128)
    type: str | None = None
    description: str | None = None
    input_schema: dict[str, Any] | None = None


class ToolChoiceAutoParam(_Open):
    type: Literal["auto"]
    disable_parallel_tool_use: bool | None = None


class ToolChoiceAnyParam(_Open):
    type: Literal["any"]
    disable_parallel_tool_use: bool | None = None


class ToolChoiceToolParam(_Open):
    type: Literal["tool"]
    name: str = Field(min_length=1)
    disable_parallel_tool_use: bool | None = None


class ToolChoiceNoneParam(_Open):
    type: Literal["none"]


def _tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"<{kind}>"


ToolChoiceParam = Annotated[
    Annotated[ToolChoiceAutoParam, Tag("<auto>")] | Annotated[ToolChoiceAnyParam, Tag("<any>")]
    | Annotated[ToolChoiceToolParam, Tag("<tool>")] | Annotated[ToolChoiceNoneParam, Tag("<none>")],
    Discriminator(_tag, custom_error_type="invalid_value",
                  custom_error_message="type must be one of auto, any, tool, none")]


class MetadataParam(_Open):
    user_id: str | None = Field(default=None, max_length=256)


class OutputFormat(_Open):
    model_config = ConfigDict(serialize_by_alias=True)

    type: str
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")


class OutputConfig(_Open):
    format: OutputFormat | None = None


class MessageCountTokensParams(_Open):
    """POST /v1/messages/count_tokens: what a Messages request would send, without the sampling."""

    model: str = Field(min_length=1, max_length=256)
    messages: list[MessageParam] = Field(min_length=1)
    system: str | list[TextBlockParam] | None = None
    tools: list[ToolParam] | None = None
    tool_choice: ToolChoiceParam | None = None


class MessageCreateParams(MessageCountTokensParams):
    max_tokens: int = Field(ge=1, le=MAX_TOKENS)
    stop_sequences: list[str] | None = None
    temperature: float | None = Field(default=None, ge=0, le=1)
    top_p: float | None = Field(default=None, ge=0, le=1)
    top_k: int | None = Field(default=None, ge=0, le=MAX_TOKENS)
    metadata: MetadataParam | None = None
    output_config: OutputConfig | None = None
    stream: StrictBool = False
    # Gateway fields, never sent upstream: alternatives tried when the model fails (as on chat).
    models: list[str] | None = Field(default=None, max_length=5)
    fallbacks: list[str] | None = Field(default=None, max_length=5)

    @field_validator("stream", mode="before")
    @classmethod
    def _null_is_unset(cls, value: Any) -> Any:
        return False if value is None else value

    def thinking_enabled(self) -> bool:
        """Whether the caller asked for thinking (then reasoning from other models is shown to it)."""
        thinking = getattr(self, "thinking", None)
        return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


# Anthropic's error types by HTTP status; 5xx of ours that are the upstream's fault read as api_error.
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                403: "permission_error", 404: "not_found_error", 413: "request_too_large",
                429: "rate_limit_error", 504: "timeout_error", 529: "overloaded_error"}


def error_type_for(status: int) -> str:
    return _ERROR_TYPES.get(status, "invalid_request_error" if 400 <= status < 500 else "api_error")


def error_body(exc: TollwayError, request_id: str | None = None) -> dict[str, Any]:
    """The body Anthropic sends with an error status (and, streaming, as the `error` event's data)."""
    body: dict[str, Any] = {"type": "error", "error": {"type": error_type_for(exc.status), "message": exc.message}}
    if request_id:
        body["request_id"] = request_id
    return body
