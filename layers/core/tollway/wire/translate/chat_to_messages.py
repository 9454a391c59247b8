"""An OpenAI Chat Completions request → an Anthropic Messages request (claude-* on /v1/chat/completions).

    request = messages_request_from_chat(body)        # body: the client's JSON
    request.body                                      # POST {ANTHROPIC_BASE_URL}/v1/messages
    request.structured_tool                           # give to the reply translators (json_schema)

What changes on the way:
- system and developer messages, wherever they stand, become the top-level `system` blocks, in order;
- consecutive messages of one role merge (Anthropic wants user/assistant turns); `tool` messages
  become `tool_result` blocks at the front of one user turn, ids kept;
- `response_format: json_schema` becomes a forced tool whose input schema is the schema: Claude
  then must answer with exactly that JSON, and the reply translators turn the tool's input back
  into message text. `json_object` becomes a system instruction (there is no schema to force);
- `temperature` above 1 is clamped to 1: Anthropic's range is 0–1 and both APIs default to 1, so
  scaling would change the common values; an OpenAI caller asking for 1.3 wants "more random",
  and 1 is Claude's most random;
- OpenAI parameters with no Anthropic meaning (`logprobs`, `seed`, penalties, `logit_bias`,
  `store`, `metadata`, `reasoning_effort`, `stream_options`…) are dropped, and `tools[].function
  .strict` too (Claude has no portable strict mode). `top_k` and `thinking` (Anthropic's own,
  sent via the SDK's `extra_body`) pass through. `n` > 1 is refused: Claude answers once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tollway.wire.translate.refusal import refuse
from tollway.wire.translate.data_uri import DataURI, is_web_url
from tollway.wire.translate.tool_calls import anthropic_tool_id, arguments_object

Body = dict[str, Any]
Block = dict[str, Any]

ANTHROPIC_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
JSON_OBJECT_INSTRUCTION = ("Answer with one valid JSON object and nothing else: no prose, no code fence.")
STRUCTURED_TOOL_DESCRIPTION = "Give the answer as this tool's input: it must match the schema exactly."
PASSTHROUGH = ("top_k", "thinking")


@dataclass(frozen=True)
class MessagesRequest:
    body: Body
    structured_tool: str | None = None  # the forced tool standing in for response_format json_schema


def messages_request_from_chat(body: Body, *, default_max_tokens: int = 4096) -> MessagesRequest:
    if body.get("n") not in (None, 1):
        raise refuse("n", "Claude models return one choice; send n=1 or leave it out", "unsupported_value")
    system: list[Block] = []
    turns: list[Body] = []
    for i, message in enumerate(body.get("messages") or ()):
        where = f"messages.{i}"
        role = message.get("role")
        if role in ("system", "developer"):
            system.extend(_text_blocks(message.get("content"), where))
        elif role == "user":
            _add_turn(turns, "user", _user_blocks(message.get("content"), where))
        elif role == "assistant":
            _add_turn(turns, "assistant", _assistant_blocks(message, where))
        elif role == "tool":
            _add_turn(turns, "user", [_tool_result(message, where)])
        else:
            raise refuse(f"{where}.role", f"{role!r} messages are not supported for this model; use tools",
                         "unsupported_value")
    if not turns:
        raise refuse("messages", "at least one user or assistant message needs non-empty content")
    for turn in turns:
        if turn["role"] == "user":  # Anthropic wants tool results before anything else in the turn
            turn["content"].sort(key=lambda block: block["type"] != "tool_result")

    out: Body = {"model": body["model"],
                 "max_tokens": body.get("max_completion_tokens") or body.get("max_tokens") or default_max_tokens}
    tools = _tools(body.get("tools"))
    tool_choice = body.get("tool_choice")
    if isinstance(tool_choice, dict) and tool_choice.get("type") == "allowed_tools":
        tools, tool_choice = _allowed_tools(tools, tool_choice)
    choice = _tool_choice(tool_choice, body.get("parallel_tool_calls"), bool(tools))

    structured_tool = None
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_object":
        system.append({"type": "text", "text": JSON_OBJECT_INSTRUCTION})
    elif response_format.get("type") == "json_schema":
        structured = _structured_tool(response_format.get("json_schema") or {}, tools)
        structured_tool = structured["name"]
        # With tools of its own the model may still call them; without, it must use ours.
        forced = not tools or tool_choice == "none"
        if forced or choice is None or choice["type"] == "auto":
            choice = {"type": "tool", "name": structured_tool} if forced else {"type": "any"}
            if body.get("parallel_tool_calls") is False:
                choice["disable_parallel_tool_use"] = True
        tools = [*tools, structured]

    if system:
        out["system"] = system
    out["messages"] = turns
    if tools:
        out["tools"] = tools
    if choice is not None:
        out["tool_choice"] = choice
    if (stop := body.get("stop")) is not None:
        out["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if (temperature := body.get("temperature")) is not None:
        out["temperature"] = min(float(temperature), 1.0)
    if body.get("top_p") is not None:
        out["top_p"] = body["top_p"]
    if body.get("user"):
        out["metadata"] = {"user_id": body["user"]}
    for name in PASSTHROUGH:
        if body.get(name) is not None:
            out[name] = body[name]
    if body.get("stream"):
        out["stream"] = True
    return MessagesRequest(out, structured_tool)


def _add_turn(turns: list[Body], role: str, blocks: list[Block]) -> None:
    if not blocks:  # an empty message says nothing; Anthropic rejects empty turns
        return
    if turns and turns[-1]["role"] == role:
        turns[-1]["content"].extend(blocks)
    else:
        turns.append({"role": role, "content": blocks})


def _text_block(part: Body) -> Block | None:
    if not part.get("text"):
        return None  # Anthropic rejects empty text blocks
    block: Block = {"type": "text", "text": part["text"]}
    if part.get("cache_control"):
        block["cache_control"] = part["cache_control"]
    return block


def _parts(content: Any, where: str) -> list[Body]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return content
    raise refuse(f"{where}.content", "must be a string or a list of parts")


def _text_blocks(content: Any, where: str) -> list[Block]:
    blocks = []
    for j, part in enumerate(_parts(content, where)):
        if part.get("type") not in ("text", "refusal"):
            raise refuse(f"{where}.content.{j}", "only text parts are allowed here")
        block = _text_block({**part, "text": part.get("text") or part.get("refusal")})
        if block:
            blocks.append(block)
    return blocks


def _user_blocks(content: Any, where: str) -> list[Block]:
    blocks = []
    for j, part in enumerate(_parts(content, where)):
        param = f"{where}.content.{j}"
        kind = part.get("type")
        if kind == "text":
            block = _text_block(part)
        elif kind == "image_url":
            block = _image_block(part.get("image_url"), param)
        elif kind == "file":
            block = _document_block(part.get("file") or {}, param)
        elif kind == "input_audio":
            raise refuse(param, "this model does not accept audio input", "audio_not_supported_by_model")
        else:
            raise refuse(f"{param}.type", f"content parts of type {kind!r} are not supported for this model",
                         "unsupported_content")
        if block:
            blocks.append(block)
    return blocks


def _image_block(image_url: Any, param: str) -> Block:
    url = image_url.get("url") if isinstance(image_url, dict) else image_url
    if not isinstance(url, str):
        raise refuse(f"{param}.image_url.url", "required")
    if is_web_url(url):
        return {"type": "image", "source": {"type": "url", "url": url}}
    data = DataURI.parse(url)
    if data is None or not data.decodes():
        raise refuse(f"{param}.image_url.url", "must be an https URL or a base64 data URI")
    if data.media_type not in ANTHROPIC_IMAGE_TYPES:
        raise refuse(f"{param}.image_url.url", "images must be JPEG, PNG, GIF or WebP for this model",
                     "unsupported_content")
    return {"type": "image", "source": {"type": "base64", "media_type": data.media_type, "data": data.data}}


def _document_block(file: Body, param: str) -> Block:
    data = DataURI.parse(file.get("file_data") or "")
    named_pdf = str(file.get("filename", "")).lower().endswith(".pdf")
    if data is None and named_pdf and isinstance(file.get("file_data"), str):
        data = DataURI("application/pdf", file["file_data"])  # bare base64, named as a PDF
    if data is None:
        what = "file_id references" if file.get("file_id") else "files without file_data"
        raise refuse(f"{param}.file", f"{what} are not supported for this model; send file_data", "unsupported_content")
    if data.media_type == "application/pdf":
        source = {"type": "base64", "media_type": "application/pdf", "data": data.data}
    elif data.media_type == "text/plain":
        source = {"type": "text", "media_type": "text/plain", "data": data.text()}
    else:
        raise refuse(f"{param}.file.file_data", "only PDF and plain-text files are supported for this model",
                     "unsupported_content")
    block: Block = {"type": "document", "source": source}
    if file.get("filename"):
        block["title"] = file["filename"]
    return block


def _assistant_blocks(message: Body, where: str) -> list[Block]:
    if message.get("function_call"):
        raise refuse(f"{where}.function_call", "legacy function calls are not supported for this model; "
                     "use tool_calls", "unsupported_value")
    blocks = _text_blocks(message.get("content"), where)
    for k, call in enumerate(message.get("tool_calls") or ()):
        param = f"{where}.tool_calls.{k}"
        function = call.get("function")
        if call.get("type", "function") != "function" or not isinstance(function, dict):
            raise refuse(f"{param}.type", "only function tool calls are supported for this model",
                         "unsupported_value")
        blocks.append({"type": "tool_use", "id": anthropic_tool_id(str(call.get("id") or f"call_{k}")),
                       "name": function.get("name"),
                       "input": arguments_object(function.get("arguments"), param=f"{param}.function.arguments")})
    return blocks


def _tool_result(message: Body, where: str) -> Block:
    call_id = message.get("tool_call_id")
    if not isinstance(call_id, str) or not call_id:
        raise refuse(f"{where}.tool_call_id", "required")
    block: Block = {"type": "tool_result", "tool_use_id": anthropic_tool_id(call_id)}
    content = message.get("content")
    if isinstance(content, str):
        if content:
            block["content"] = content
    elif content:
        block["content"] = _user_blocks(content, where)
    return block


def _object_schema(schema: Any, param: str) -> Body:
    schema = dict(schema) if isinstance(schema, dict) else {}
    if schema.setdefault("type", "object") != "object":
        raise refuse(param, "must describe a JSON object for this model")
    return schema


def _tools(tools: Any) -> list[Block]:
    out = []
    for k, tool in enumerate(tools or ()):
        function = tool.get("function")
        if tool.get("type") != "function" or not isinstance(function, dict):
            raise refuse(f"tools.{k}.type", "only function tools are supported for this model",
                         "unsupported_value")
        converted: Block = {"name": function.get("name")}
        if function.get("description"):
            converted["description"] = function["description"]
        converted["input_schema"] = _object_schema(function.get("parameters") or {"properties": {}},
                                                   f"tools.{k}.function.parameters")
        out.append(converted)
    return out


def _allowed_tools(tools: list[Block], choice: Body) -> tuple[list[Block], str]:
    """`allowed_tools` has no Anthropic twin: offer only the allowed tools, then auto/required."""
    allowed = choice.get("allowed_tools") or {}
    names = {(t.get("function") or {}).get("name") for t in allowed.get("tools") or ()}
    return [t for t in tools if t["name"] in names], "required" if allowed.get("mode") == "required" else "auto"


def _tool_choice(choice: Any, parallel: Any, have_tools: bool) -> Block | None:
    if not have_tools:
        return None  # a choice among no tools means nothing, and Anthropic rejects it
    if choice is None or choice == "auto":
        converted: Block = {"type": "auto"}
    elif choice == "required":
        converted = {"type": "any"}
    elif choice == "none":
        return {"type": "none"}
    elif isinstance(choice, dict) and choice.get("type") == "function":
        converted = {"type": "tool", "name": (choice.get("function") or {}).get("name")}
    else:
        raise refuse("tool_choice", "must be none, auto, required or a named function")
    if parallel is False:
        converted["disable_parallel_tool_use"] = True
    elif choice is None:
        return None  # nothing was asked: Anthropic's default is already auto
    return converted


def _structured_tool(spec: Body, tools: list[Block]) -> Block:
    name = spec.get("name") or "json_response"
    taken = {t["name"] for t in tools}
    while name in taken:
        name += "_output"
    return {"name": name, "description": spec.get("description") or STRUCTURED_TOOL_DESCRIPTION,
            "input_schema": _object_schema(spec.get("schema") or {}, "response_format.json_schema.schema")}
