"""A Responses API request as an OpenAI Chat Completions request (for every provider but OpenAI).

    chat_body = chat_request_from_responses(raw, token_limit_param="max_tokens")

`instructions` becomes the system message; `input` (a string, or items: messages with input_text /
input_image / input_file parts, function_call and function_call_output items) becomes the message
list, as does `messages` when a client sends chat messages instead; function tools, tool_choice,
temperature, top_p, max_output_tokens and `text.format` (json_schema → structured output) map to
their chat names. What chat cannot carry (server-side state, built-in tools) is a 400 naming its
param, never silently dropped.
"""

from __future__ import annotations

from typing import Any

from tollway.errors import InvalidRequest

_SAME_NAME = ("temperature", "top_p", "parallel_tool_calls", "user", "stream", "models", "fallbacks")
_ROLES = ("user", "assistant", "system", "developer")


def _bad(message: str, param: str) -> InvalidRequest:
    return InvalidRequest(f"{param}: {message}", code="invalid_value", param=param)


def chat_request_from_responses(raw: dict[str, Any], *, token_limit_param: str = "max_tokens",
                                strict: bool = True) -> dict[str, Any]:
    """With `strict=False`, what chat cannot carry is left out instead of refused: the view of a
    request OpenAI answers natively that the gateway reads for capabilities and estimates."""
    if strict and raw.get("previous_response_id") is not None:
        raise InvalidRequest("previous_response_id: this gateway keeps no conversation state for models other "
                             "than OpenAI's; send the whole conversation as `input`",
                             code="unsupported_parameter", param="previous_response_id")
    messages: list[dict[str, Any]] = []
    if isinstance(raw.get("instructions"), str) and raw["instructions"]:
        messages.append({"role": "system", "content": raw["instructions"]})
    if raw.get("messages") is not None:
        messages.extend(raw["messages"])
    given = raw.get("input")
    if isinstance(given, str):
        messages.append({"role": "user", "content": given})
    elif isinstance(given, list):
        messages.extend(_messages_from_items(given, strict))
    if strict and not any(m.get("role") != "system" for m in messages):
        raise InvalidRequest("input: a response needs `input` (a string or items) or `messages`",
                             code="missing_required_parameter", param="input")
    body: dict[str, Any] = {"model": raw["model"], "messages": messages}
    body |= {name: raw[name] for name in _SAME_NAME if raw.get(name) is not None}
    if raw.get("max_output_tokens") is not None:
        body[token_limit_param] = raw["max_output_tokens"]
    if raw.get("tools"):
        tools = [_chat_tool(tool, i) for i, tool in enumerate(raw["tools"]) if strict or tool.get("type") == "function"]
        if tools:
            body["tools"] = tools
    if strict and raw.get("tool_choice") is not None:
        body["tool_choice"] = _chat_tool_choice(raw["tool_choice"])
    text_format = (raw.get("text") or {}).get("format") or raw.get("response_format")
    if text_format is not None:
        body["response_format"] = _chat_format(text_format)
    return body


def _messages_from_items(items: list[dict[str, Any]], strict: bool) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        param = f"input.{index}"
        kind = item.get("type", "message")
        if kind == "message":
            role = item.get("role")
            if role not in _ROLES:
                raise _bad(f"role is one of {', '.join(_ROLES)}", f"{param}.role")
            messages.append({"role": role, "content": _content(item.get("content"), f"{param}.content")})
        elif kind == "function_call":
            call = {"id": _text(item, "call_id", param), "type": "function",
                    "function": {"name": _text(item, "name", param), "arguments": _text(item, "arguments", param)}}
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant" and last.get("tool_calls") is not None:
                last["tool_calls"].append(call)  # parallel calls are one assistant turn in chat
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output")
            if isinstance(output, list):
                output = "".join(p.get("text", "") for p in output if isinstance(p, dict))
            if not isinstance(output, str):
                raise _bad("is a string", f"{param}.output")
            messages.append({"role": "tool", "tool_call_id": _text(item, "call_id", param), "content": output})
        elif kind == "reasoning" or not strict:
            continue  # a previous turn's reasoning: chat models take no reasoning as input
        else:
            raise InvalidRequest(f"{param}.type: {kind!r} items are served only by OpenAI's own models",
                                 code="unsupported_parameter", param=f"{param}.type")
    return messages


def _text(item: dict[str, Any], name: str, param: str) -> str:
    value = item.get(name)
    if not isinstance(value, str):
        raise _bad("is a string", f"{param}.{name}")
    return value


def _content(content: Any, param: str) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    if not isinstance(content, list) or not content:
        raise _bad("is a string or a list of content parts", param)
    parts: list[dict[str, Any]] = []
    for index, part in enumerate(content):
        where = f"{param}.{index}"
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in ("input_text", "output_text", "text"):
            parts.append({"type": "text", "text": _text(part, "text", where)})
        elif kind == "refusal":
            parts.append({"type": "text", "text": _text(part, "refusal", where)})
        elif kind == "input_image":
            url = part.get("image_url")
            if not isinstance(url, str) or not url:
                raise _bad("an input_image needs `image_url` (a URL or a data: URI) for this model",
                           f"{where}.image_url")
            image: dict[str, Any] = {"url": url}
            if part.get("detail") in ("auto", "low", "high"):
                image["detail"] = part["detail"]
            parts.append({"type": "image_url", "image_url": image})
        elif kind == "input_file":
            file = {k: part[k] for k in ("file_data", "file_id", "filename") if isinstance(part.get(k), str)}
            if "file_data" not in file and "file_id" not in file:
                raise _bad("an input_file needs `file_data` or `file_id` for this model", where)
            parts.append({"type": "file", "file": file})
        else:
            raise _bad(f"{kind!r} is not a content part type (input_text, input_image, input_file)", f"{where}.type")
    return parts


def _chat_tool(tool: dict[str, Any], index: int) -> dict[str, Any]:
    param = f"tools.{index}"
    if tool.get("type") != "function":
        raise InvalidRequest(f"{param}.type: {tool.get('type')!r} tools are served only by OpenAI's own models",
                             code="unsupported_parameter", param=f"{param}.type")
    if not isinstance(tool.get("name"), str):
        raise _bad("a function tool needs a `name`", f"{param}.name")
    function = {"name": tool["name"], "parameters": tool.get("parameters") or {"type": "object", "properties": {}}}
    if tool.get("description") is not None:
        function["description"] = tool["description"]
    if tool.get("strict") is not None:
        function["strict"] = tool["strict"]
    return {"type": "function", "function": function}


def _chat_tool_choice(choice: Any) -> Any:
    if isinstance(choice, str):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function" and isinstance(choice.get("name"), str):
        return {"type": "function", "function": {"name": choice["name"]}}
    raise _bad('is "auto", "none", "required" or {"type": "function", "name": ...}', "tool_choice")


def _chat_format(text_format: dict[str, Any]) -> dict[str, Any]:
    kind = text_format.get("type")
    if kind != "json_schema":
        return {"type": kind}
    if isinstance(text_format.get("json_schema"), dict):  # already chat's nesting
        return {"type": "json_schema", "json_schema": text_format["json_schema"]}
    schema = text_format.get("schema")
    if not isinstance(schema, dict):
        raise _bad("a json_schema format needs `schema` (a JSON Schema object)", "text.format.schema")
    nested = {"name": text_format.get("name") or "response", "schema": schema}
    for name in ("description", "strict"):
        if text_format.get(name) is not None:
            nested[name] = text_format[name]
    return {"type": "json_schema", "json_schema": nested}



def native_request(raw: dict[str, Any]) -> dict[str, Any]:
    """The request as OpenAI's own Responses API takes it: this gateway's conveniences in OpenAI's
    names (`messages` as input items, `response_format` as `text.format`), and `store: false` unless
    the client asks, so OpenAI keeps nothing of a request by default (its own default is to keep it)."""
    body = dict(raw)
    messages = body.pop("messages", None)
    if messages is not None:
        given = body.get("input")
        items = [{"role": "user", "content": given}] if isinstance(given, str) else list(given or [])
        body["input"] = [*_items_from_messages(messages), *items]
    response_format = body.pop("response_format", None)
    if response_format is not None and not (body.get("text") or {}).get("format"):
        nested = response_format.get("json_schema") if isinstance(response_format.get("json_schema"), dict) else {}
        body["text"] = {**(body.get("text") or {}), "format": {
            k: v for k, v in response_format.items() if k != "json_schema"} | nested}
    body.setdefault("store", False)
    return body


_PART_TYPES = {"text": "input_text", "image_url": "input_image", "file": "input_file"}


def _items_from_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for message in messages:
        role, content = message.get("role"), message.get("content")
        if role == "tool":
            items.append({"type": "function_call_output", "call_id": message.get("tool_call_id"),
                          "output": content if isinstance(content, str) else ""})
            continue
        if content:
            if isinstance(content, list):
                content = [_input_part(p, role) for p in content if isinstance(p, dict)]
            items.append({"role": role if role in _ROLES else "user", "content": content})
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            items.append({"type": "function_call", "call_id": call.get("id"), "name": function.get("name"),
                          "arguments": function.get("arguments") or "{}"})
    return items


def _input_part(part: dict[str, Any], role: Any) -> dict[str, Any]:
    kind = part.get("type")
    if kind == "text":
        return {"type": "output_text" if role == "assistant" else "input_text", "text": part.get("text", "")}
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        return {"type": "input_image", "image_url": url}
    if kind == "file":
        return {"type": "input_file", **(part.get("file") or {})}
    return part
