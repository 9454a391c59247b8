"""Tool-call details every translator shares: arguments as JSON text ↔ objects, and call ids.

    arguments_object('{"city": "Paris"}', param="messages.1.tool_calls.0.function.arguments")
    # {'city': 'Paris'}   ("" and None give {}; anything but a JSON object is a 400 naming `param`)
    anthropic_tool_id("functions.lookup:0")       # 'functions_lookup_0'
    generated_call_id("resp-1", 0, 0, "lookup")   # 'call_' + 24 hex digits, the same every time
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from tollway.wire.json_text import parse_json
from tollway.wire.translate.refusal import refuse

_ANTHROPIC_ID = re.compile(r"[^a-zA-Z0-9_-]")


def arguments_object(arguments: Any, *, param: str) -> dict[str, Any]:
    """A tool call's `arguments` string parsed as the object every provider but OpenAI wants."""
    if arguments is None or (isinstance(arguments, str) and not arguments.strip()):
        return {}
    if isinstance(arguments, dict):  # some clients send the object itself; accept it
        return arguments
    if not isinstance(arguments, str):
        raise refuse(param, "must be a string of JSON")
    try:
        parsed = parse_json(arguments)
    except ValueError:
        raise refuse(param, "is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise refuse(param, "must be a JSON object")
    return parsed


def arguments_text(arguments: Any) -> str:
    """A tool input object as OpenAI's `arguments` string (compact, non-ASCII kept as is)."""
    return json.dumps(arguments if arguments is not None else {}, ensure_ascii=False, separators=(",", ":"))


def anthropic_tool_id(call_id: str) -> str:
    """Anthropic accepts tool ids matching ^[a-zA-Z0-9_-]+$ only; other providers' ids (e.g.
    `functions.lookup:0`) are mapped the same way in tool_use and tool_result, so they still pair."""
    return _ANTHROPIC_ID.sub("_", call_id) or "call"


def generated_call_id(response_id: str, candidate: int, ordinal: int, name: str, args: Any = None) -> str:
    """An id for a call the provider did not name (Gemini often does not): stable for the same
    response, so a stream and its non-streamed twin agree, and unique across responses."""
    seed = json.dumps([response_id, candidate, ordinal, name, args], sort_keys=True, default=str)
    return "call_" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:24]
