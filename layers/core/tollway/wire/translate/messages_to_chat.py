"""An Anthropic Messages request → an OpenAI Chat Completions request (non-claude models on /v1/messages).

    body = chat_request_from_messages(messages_body, token_limit_param="max_completion_tokens")

What changes on the way:
- `system` (a string or text blocks) becomes one leading system message; a `system`-role message
  inside `messages` stays a system message where it stands;
- `tool_result` blocks become `tool` messages right after the assistant message that called the
  tools (OpenAI's order), before whatever else the user turn says; `is_error` has no OpenAI
  field, so an error result's text is prefixed "Error: " for the model to see;
- images from tool results (OpenAI tool messages carry text only) move into the user message
  that follows the tool messages;
- `thinking` / `redacted_thinking` blocks are dropped: their signatures mean nothing elsewhere;
- `top_k` is dropped: OpenAI has no such parameter (OpenAI-compatible servers that do, vLLM for
  one, get the client's value only on /v1/chat/completions). `cache_control` is dropped: OpenAI
  caches prompts by itself. `thinking` is dropped: there is no portable reasoning budget;
- `output_config.format` (Anthropic structured output) becomes `response_format: json_schema`.
"""

from __future__ import annotations

from typing import Any

from tollway.wire.translate.refusal import refuse
from tollway.wire.translate.tool_calls import arguments_text

Body = dict[str, Any]

MAX_OPENAI_STOPS = 4


def chat_request_from_messages(body: Body, *, token_limit_param: str = "max_tokens") -> Body:
    messages: list[Body] = []
    system = _system_text_parts(body.get("system"), "system")
    if system:
        messages.append({"role": "system", "content": _text_content(system)})
    for i, message in enumerate(body.get("messages") or ()):
        messages.extend(_messages(message, f"messages.{i}"))

    out: Body = {"model": body["model"], "messages": messages, token_limit_param: body["max_tokens"]}
    tools = _tools(body.get("tools"))
    if tools:
        out["tools"] = tools
        choice = body.get("tool_choice") or {}
        converted = _tool_choice(choice)
        if converted is not None:
            out["tool_choice"] = converted
        if choice.get("disable_parallel_tool_use"):
            out["parallel_tool_calls"] = False
    stops = body.get("stop_sequences")
    if stops:
        if len(stops) > MAX_OPENAI_STOPS:
            raise refuse("stop_sequences", f"this model takes at most {MAX_OPENAI_STOPS}")
        out["stop"] = list(stops)
    for name in ("temperature", "top_p"):
        if body.get(name) is not None:
            out[name] = body[name]
    user_id = (body.get("metadata") or {}).get("user_id")
    if user_id:
        out["user"] = user_id
    output_format = (body.get("output_config") or {}).get("format") or {}
    if output_format.get("type") == "json_schema":
        out["response_format"] = {"type": "json_schema",
                                  "json_schema": {"name": "output", "schema": output_format.get("schema") or {}}}
    if body.get("stream"):
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}  # message_delta must carry the real usage
    return out


def _text_content(parts: list[Body]) -> str | list[Body]:
    return parts[0]["text"] if len(parts) == 1 else parts


def _system_text_parts(system: Any, where: str) -> list[Body]:
    if isinstance(system, str):
        return [{"type": "text", "text": system}] if system else []
    parts = []
    for j, block in enumerate(system or ()):
        if block.get("type") != "text":
            raise refuse(f"{where}.{j}.type", "system blocks must be text")
        if block.get("text"):
            parts.append({"type": "text", "text": block["text"]})
    return parts


def _messages(message: Body, where: str) -> list[Body]:
    role, content = message.get("role"), message.get("content")
    if role == "system":
        parts = _system_text_parts(content, f"{where}.content")
        return [{"role": "system", "content": _text_content(parts)}] if parts else []
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    if role == "assistant":
        return [_assistant(content or [], where)]
    tool_messages: list[Body] = []
    parts: list[Body] = []
    for j, block in enumerate(content or ()):
        param = f"{where}.content.{j}"
        if block.get("type") == "tool_result":
            text, images = _tool_result(block, param)
            tool_messages.append({"role": "tool", "tool_call_id": block.get("tool_use_id"), "content": text})
            parts.extend(images)
        elif block.get("type") not in ("thinking", "redacted_thinking"):
            parts.append(_user_part(block, param))
    out = tool_messages
    if parts:
        out.append({"role": "user", "content": _text_content(parts) if _all_text(parts) else parts})
    return out


def _all_text(parts: list[Body]) -> bool:
    return all(p["type"] == "text" for p in parts)


def _user_part(block: Body, param: str) -> Body:
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": block.get("text", "")}
    if kind == "image":
        source = block.get("source") or {}
        if source.get("type") == "base64":
            return {"type": "image_url",
                    "image_url": {"url": f"data:{source.get('media_type')};base64,{source.get('data')}"}}
        if source.get("type") == "url":
            return {"type": "image_url", "image_url": {"url": source.get("url")}}
    if kind == "document":
        return _document_part(block, param)
    if kind == "image":
        raise refuse(f"{param}.source.type", "images must be base64 or a URL for this model",
                     "unsupported_content")
    raise refuse(f"{param}.type", f"{kind!r} content is not supported for this model", "unsupported_content")


def _document_part(block: Body, param: str) -> Body:
    source = block.get("source") or {}
    if source.get("type") == "base64" and source.get("media_type") == "application/pdf":
        return {"type": "file", "file": {"filename": block.get("title") or "document.pdf",
                                         "file_data": f"data:application/pdf;base64,{source.get('data')}"}}
    if source.get("type") == "text":
        return {"type": "text", "text": source.get("data", "")}
    if source.get("type") == "content" and isinstance(source.get("content"), list):
        texts = [b.get("text", "") for b in source["content"] if b.get("type") == "text"]
        return {"type": "text", "text": "\n".join(texts)}
    raise refuse(f"{param}.source.type", f"documents from a {source.get('type')!r} source are not supported "
                 "for this model; send the PDF as base64", "unsupported_content")


def _tool_result(block: Body, param: str) -> tuple[str, list[Body]]:
    content = block.get("content")
    texts: list[str] = []
    images: list[Body] = []
    if isinstance(content, str):
        texts.append(content)
    for k, item in enumerate(content if isinstance(content, list) else ()):
        part = _user_part(item, f"{param}.content.{k}")
        if part["type"] == "text":
            texts.append(part["text"])
        else:
            images.append(part)
    text = "\n".join(texts)
    return ("Error: " + text if block.get("is_error") else text), images


def _assistant(blocks: list[Body], where: str) -> Body:
    texts: list[str] = []
    calls: list[Body] = []
    for j, block in enumerate(blocks):
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text", ""))
        elif kind == "tool_use":
            calls.append({"id": block.get("id"), "type": "function",
                          "function": {"name": block.get("name"), "arguments": arguments_text(block.get("input"))}})
        elif kind not in ("thinking", "redacted_thinking"):
            raise refuse(f"{where}.content.{j}.type", f"{kind!r} blocks are not supported for this model",
                         "unsupported_content")
    message: Body = {"role": "assistant", "content": "".join(texts) if texts or not calls else None}
    if calls:
        message["tool_calls"] = calls
    return message


def _tools(tools: Any) -> list[Body]:
    out = []
    for k, tool in enumerate(tools or ()):
        if tool.get("type") not in (None, "custom"):
            raise refuse(f"tools.{k}.type", f"the Anthropic server tool {tool.get('type')!r} is not available "
                         "for this model", "unsupported_value")
        function: Body = {"name": tool.get("name")}
        if tool.get("description"):
            function["description"] = tool["description"]
        function["parameters"] = tool.get("input_schema") or {"type": "object", "properties": {}}
        out.append({"type": "function", "function": function})
    return out


def _tool_choice(choice: Body) -> str | Body | None:
    kind = choice.get("type")
    if kind is None:
        return None
    if kind in ("auto", "none"):
        return str(kind)
    if kind == "any":
        return "required"
    if kind == "tool":
        return {"type": "function", "function": {"name": choice.get("name")}}
    raise refuse("tool_choice.type", f"{kind!r} is not one of auto, any, tool, none")
