"""The request checks of the fake Anthropic upstream: what the real Messages API refuses with 400.

Written independently of tollway's own models on purpose: a fake that shared the gateway's code
would agree with the gateway's mistakes. Messages follow the real API's wording where known.

Stricter than the real API in one place: a `system` role inside `messages` (newer models accept
it) is refused, because the gateway always moves system text to the top-level field.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.scripted import is_base64

KNOWN_FIELDS = frozenset({
    "model", "messages", "max_tokens", "system", "stop_sequences", "temperature", "top_p", "top_k", "tools",
    "tool_choice", "metadata", "stream", "thinking", "service_tier", "container", "output_config",
    "cache_control", "inference_geo", "speed", "mcp_servers", "context_management", "diagnostics"})
BLOCK_TYPES = frozenset({"text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking",
                         "search_result"})
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
TOOL_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


class Refused(Exception):
    def __init__(self, message: str, status: int = 400, type_: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.message, self.status, self.type = message, status, type_


def check_headers(headers: dict[str, str], api_key: str) -> None:
    # anthropic SDK 2.x sends the key as a bearer token; earlier clients (and curl examples) as x-api-key.
    bearer = headers.get("authorization", "").removeprefix("Bearer ")
    if api_key not in (headers.get("x-api-key"), bearer):
        raise Refused("invalid x-api-key", 401, "authentication_error")
    if not headers.get("anthropic-version"):
        raise Refused("anthropic-version: header is required")




def _blocks(content: Any, where: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        if not content:
            raise Refused(f"{where}: text content blocks must be non-empty")
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise Refused(f"{where}: Input should be a valid list")
    for j, block in enumerate(content):
        _check_block(block, f"{where}.{j}")
    return content


def _check_block(block: Any, where: str) -> None:
    kind = block.get("type") if isinstance(block, dict) else None
    if kind not in BLOCK_TYPES:
        raise Refused(f"{where}.type: Input tag {kind!r} found using 'type' does not match any of the expected tags")
    if kind == "text" and not block.get("text"):
        raise Refused(f"{where}.text: text content blocks must be non-empty")
    if kind == "image":
        source = block.get("source") or {}
        if source.get("type") == "base64":
            if source.get("media_type") not in IMAGE_TYPES:
                raise Refused(f"{where}.source.base64.media_type: Input should be one of {', '.join(IMAGE_TYPES)}")
            if not is_base64(source.get("data")):
                raise Refused(f"{where}.source.base64.data: The image data is not valid base64")
        elif source.get("type") != "url" or not isinstance(source.get("url"), str):
            raise Refused(f"{where}.source: Input should be a base64 or url source")
    if kind == "document":
        source = block.get("source") or {}
        if source.get("type") == "base64" and (source.get("media_type") != "application/pdf"
                                               or not is_base64(source.get("data"))):
            raise Refused(f"{where}.source.base64: a PDF document needs media_type application/pdf and base64 data")
    if kind == "tool_use":
        if not isinstance(block.get("id"), str) or not TOOL_ID.match(block["id"]):
            raise Refused(f"{where}.id: String should match pattern '^[a-zA-Z0-9_-]+$'")
        if not isinstance(block.get("input"), dict):
            raise Refused(f"{where}.input: Input should be a valid dictionary")
    if kind == "tool_result" and isinstance(block.get("content"), list):
        for k, inner in enumerate(block["content"]):
            _check_block(inner, f"{where}.content.{k}")


def _turns(messages: Any) -> list[tuple[int, str, list[dict[str, Any]]]]:
    """(index of the first message, role, blocks) per turn: consecutive same-role messages merge."""
    if not isinstance(messages, list) or not messages:
        raise Refused("messages: at least one message is required")
    turns: list[tuple[int, str, list[dict[str, Any]]]] = []
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            raise Refused(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        blocks = _blocks(message.get("content"), f"messages.{i}.content")
        if not blocks and not (role == "assistant" and i == len(messages) - 1):
            raise Refused(f"messages.{i}: all messages must have non-empty content except for the optional "
                          "final assistant message")
        if turns and turns[-1][1] == role:
            turns[-1][2].extend(blocks)
        else:
            turns.append((i, role, list(blocks)))
    if turns[0][1] != "user":
        raise Refused('messages: first message must use the "user" role')
    return turns


def _check_tool_pairs(turns: list[tuple[int, str, list[dict[str, Any]]]]) -> None:
    for t, (i, role, blocks) in enumerate(turns):
        kinds = [b.get("type") for b in blocks]
        if role == "assistant" and "tool_result" in kinds:
            raise Refused(f"messages.{i}: tool_result blocks are only allowed in user messages")
        if role == "user" and "tool_use" in kinds:
            raise Refused(f"messages.{i}: tool_use blocks are only allowed in assistant messages")
        used = {b["id"] for b in blocks if b.get("type") == "tool_use"}
        following = turns[t + 1][2] if t + 1 < len(turns) else []
        answered = {b.get("tool_use_id") for b in following if b.get("type") == "tool_result"}
        if used - answered:
            raise Refused(f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately "
                          f"after: {', '.join(sorted(used - answered))}. Each `tool_use` block must have a "
                          "corresponding `tool_result` block in the next message.")
        if role == "user":
            previous = turns[t - 1][2] if t > 0 else []
            asked = {b.get("id") for b in previous if b.get("type") == "tool_use"}
            for b in blocks:
                if b.get("type") == "tool_result" and b.get("tool_use_id") not in asked:
                    raise Refused(f"messages.{i}: unexpected `tool_use_id` found in `tool_result` blocks: "
                                  f"{b.get('tool_use_id')}. Each `tool_result` block must have a corresponding "
                                  "`tool_use` block in the previous message.")
            first_other = next((k for k, kind in enumerate(kinds) if kind != "tool_result"), len(kinds))
            if "tool_result" in kinds[first_other:]:
                raise Refused(f"messages.{i}: tool_result blocks must come first in the user message content")


def _check_tools(body: dict[str, Any]) -> None:
    names = set()
    for k, tool in enumerate(body.get("tools") or ()):
        if not isinstance(tool.get("name"), str) or not TOOL_NAME.match(tool["name"]):
            raise Refused(f"tools.{k}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'")
        if tool.get("type") in (None, "custom"):
            schema = tool.get("input_schema")
            if not isinstance(schema, dict) or schema.get("type") != "object":
                raise Refused(f"tools.{k}.custom.input_schema.type: Input should be 'object'")
        names.add(tool["name"])
    choice = body.get("tool_choice")
    if choice is None:
        return
    if choice.get("type") not in ("auto", "any", "tool", "none"):
        raise Refused("tool_choice.type: Input tag does not match any of the expected tags: 'auto', 'any', "
                      "'tool', 'none'")
    if choice["type"] == "tool" and choice.get("name") not in names:
        raise Refused(f"tool_choice: Tool '{choice.get('name')}' not found in tools")
    thinking = body.get("thinking") or {}
    if thinking.get("type") in ("enabled", "adaptive") and choice["type"] in ("any", "tool"):
        raise Refused("Thinking may not be enabled when tool_choice forces tool use.")


def _check_numbers(body: dict[str, Any]) -> None:
    max_tokens = body.get("max_tokens")
    if max_tokens is None:
        raise Refused("max_tokens: Field required")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise Refused("max_tokens: Input should be greater than or equal to 1")
    for name, high in (("temperature", 1.0), ("top_p", 1.0)):
        value = body.get(name)
        if value is not None and not (isinstance(value, (int, float)) and 0 <= value <= high):
            raise Refused(f"{name}: Input should be less than or equal to {high}")
    if body.get("top_k") is not None and not (isinstance(body["top_k"], int) and body["top_k"] >= 0):
        raise Refused("top_k: Input should be greater than or equal to 0")


def check_body(body: Any) -> None:
    if not isinstance(body, dict):
        raise Refused("Request body must be a JSON object")
    for name in body:
        if name not in KNOWN_FIELDS:
            raise Refused(f"{name}: Extra inputs are not permitted")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise Refused("model: Field required")
    _check_numbers(body)
    _check_tool_pairs(_turns(body.get("messages")))
    system = body.get("system")
    if system is not None and not isinstance(system, str):
        for j, block in enumerate(system):
            if block.get("type") != "text" or not block.get("text"):
                raise Refused(f"system.{j}: system blocks must be non-empty text blocks")
    stops = body.get("stop_sequences")
    if stops is not None and (not isinstance(stops, list) or not all(isinstance(s, str) for s in stops)):
        raise Refused("stop_sequences: Input should be a valid list of strings")
    metadata = body.get("metadata")
    if metadata is not None and set(metadata) - {"user_id"}:
        raise Refused(f"metadata.{sorted(set(metadata) - {'user_id'})[0]}: Extra inputs are not permitted")
    _check_tools(body)
