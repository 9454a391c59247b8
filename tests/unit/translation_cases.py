"""Shared fixtures of the translation matrix: small valid media, tool definitions, builders."""

from __future__ import annotations

from typing import Any

PNG = "iVBORw0KGgo="  # the 8-byte PNG signature: valid base64, a real image type
PNG_URI = f"data:image/png;base64,{PNG}"
PDF = "JVBERi0xLjQgZmFrZQ=="  # b"%PDF-1.4 fake"
PDF_URI = f"data:application/pdf;base64,{PDF}"
WAV = "UklGRiQAAABXQVZF"  # b"RIFF$\x00\x00\x00WAVE"

WEATHER_SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
OPENAI_WEATHER = {"type": "function", "function": {"name": "weather", "description": "Weather in a city",
                                                   "parameters": WEATHER_SCHEMA}}
OPENAI_TIME = {"type": "function", "function": {"name": "time", "parameters": {"type": "object", "properties": {}}}}
ANTHROPIC_WEATHER = {"name": "weather", "description": "Weather in a city", "input_schema": WEATHER_SCHEMA}
ANTHROPIC_TIME = {"name": "time", "input_schema": {"type": "object", "properties": {}}}


def chat(*messages: dict[str, Any], **params: Any) -> dict[str, Any]:
    """An OpenAI chat request."""
    return {"model": "any-model", "messages": list(messages), **params}


def messages_body(*messages: dict[str, Any], **params: Any) -> dict[str, Any]:
    """An Anthropic messages request."""
    return {"model": "any-model", "max_tokens": 100, "messages": list(messages), **params}


def user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def assistant(content: Any, *calls: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = list(calls)
    return message


def call(call_id: str, name: str, arguments: Any) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def tool(call_id: str, content: Any) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def turn(role: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": role, "content": list(blocks)}


def tool_use(call_id: str, name: str, input_: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": name, "input": input_}


def tool_result(call_id: str, content: Any = None, **extra: Any) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call_id}
    if content is not None:
        block["content"] = content
    return {**block, **extra}
