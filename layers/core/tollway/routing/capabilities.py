"""What a chat request needs from its model, checked before any credit is reserved or upstream called.

    needed = needed_capabilities(raw)           # chat body; needed_by_message_request for /v1/messages
    missing = missing_capability(spec, needed)  # None, or (capability, param)
    require_capabilities(spec, needed)          # raises a 400 naming the param

Only listed models are checked: a model matched by name pattern (a provider's new release) is
given the benefit of the doubt, and its provider decides.
"""

from __future__ import annotations

from typing import Any

from tollway.catalog import ModelSpec
from tollway.errors import InvalidRequest

_PART_NEEDS = {"image_url": "vision", "input_audio": "audio", "file": "files"}
_BLOCK_NEEDS = {"image": "vision", "document": "files"}
_WHAT = {"vision": "image input", "audio": "audio input", "files": "file input", "tools": "tools",
         "json": "JSON output (response_format)"}


def needed_capabilities(raw: dict[str, Any]) -> dict[str, str]:
    """capability → the param that asks for it, for each capability the request uses."""
    needed: dict[str, str] = {}
    if raw.get("tools") or raw.get("functions"):
        needed["tools"] = "tools"
    fmt = raw.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema"):
        needed["json"] = "response_format"
    for i, message in enumerate(raw.get("messages") or ()):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            capability = _PART_NEEDS.get(str(part.get("type"))) if isinstance(part, dict) else None
            if capability and capability not in needed:
                needed[capability] = f"messages.{i}.content.{j}"
    return needed


def needed_by_message_request(body: dict[str, Any]) -> dict[str, str]:
    """The same, for an Anthropic Messages request (content blocks, tool results holding images)."""
    needed: dict[str, str] = {"tools": "tools"} if body.get("tools") else {}
    for i, message in enumerate(body.get("messages") or ()):
        content = message.get("content") if isinstance(message, dict) else None
        for j, block in enumerate(content if isinstance(content, list) else ()):
            inner = block.get("content") if isinstance(block, dict) and block.get("type") == "tool_result" else None
            for part in [block, *(inner if isinstance(inner, list) else ())]:
                capability = _BLOCK_NEEDS.get(str(part.get("type"))) if isinstance(part, dict) else None
                if capability and capability not in needed:
                    needed[capability] = f"messages.{i}.content.{j}"
    return needed


def missing_capability(spec: ModelSpec, needed: dict[str, str]) -> tuple[str, str] | None:
    if not spec.listed:
        return None
    for capability, param in needed.items():
        if capability not in spec.capabilities:
            return capability, param
    return None


def require_capabilities(spec: ModelSpec, needed: dict[str, str]) -> None:
    missing = missing_capability(spec, needed)
    if missing is not None:
        capability, param = missing
        raise InvalidRequest(f"The model {spec.id!r} does not support {_WHAT.get(capability, capability)}",
                             code=f"{capability}_not_supported_by_model", param=param)
