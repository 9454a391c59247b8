"""Why a reply stopped and what it used, in each of the three wire formats.

    finish_reason_for("tool_use")                     # 'tool_calls'
    stop_reason_for("length")                         # 'max_tokens'
    openai_usage_from_anthropic({"input_tokens": 3, "output_tokens": 5, "cache_read_input_tokens": 10})
    # {'prompt_tokens': 13, 'completion_tokens': 5, 'total_tokens': 18,
    #  'prompt_tokens_details': {'cached_tokens': 10, 'cache_write_tokens': 0}}

Token accounting differs: OpenAI's `prompt_tokens` counts every input token, cached or not, and
says how many were cached in `prompt_tokens_details`; Anthropic's `input_tokens` counts only the
uncached ones, with cache reads and cache writes beside it. Gemini's `promptTokenCount` already
includes cached content, and its `candidatesTokenCount` leaves out thinking tokens, which OpenAI
counts as completion tokens.
"""

from __future__ import annotations

from typing import Any

_FINISH_FOR_STOP = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
_STOP_FOR_FINISH = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}
# Everything Gemini stops for that is about what the text said; the rest (OTHER,
# MALFORMED_FUNCTION_CALL, …) has no OpenAI reason closer than "stop".
_GEMINI_FILTERED = frozenset({"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
                              "IMAGE_SAFETY", "LANGUAGE", "MODEL_ARMOR", "IMAGE_PROHIBITED_CONTENT",
                              "IMAGE_RECITATION"})


def finish_reason_for(stop_reason: str | None) -> str:
    """Anthropic `stop_reason` → OpenAI `finish_reason` (unknown future reasons read as "stop")."""
    return _FINISH_FOR_STOP.get(stop_reason or "end_turn", "stop")


def stop_reason_for(finish_reason: str | None) -> str:
    """OpenAI `finish_reason` → Anthropic `stop_reason`."""
    return _STOP_FOR_FINISH.get(finish_reason or "stop", "end_turn")


def finish_reason_for_gemini(reason: str | None, *, called_tools: bool) -> str:
    """Gemini `finishReason` → OpenAI. Gemini says STOP after a function call; OpenAI says tool_calls."""
    if reason == "MAX_TOKENS":
        return "length"
    if reason in _GEMINI_FILTERED:
        return "content_filter"
    return "tool_calls" if called_tools else "stop"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def openai_usage(prompt: int, completion: int, *, cached: int = 0, cache_write: int = 0,
                 reasoning: int | None = None) -> dict[str, Any]:
    """A `CompletionUsage`. `prompt` already includes the cached and cache-write tokens."""
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion,
                             "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": cache_write}}
    if reasoning is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return usage


def openai_usage_from_anthropic(usage: dict[str, Any] | None) -> dict[str, Any]:
    usage = usage or {}
    read, write = _int(usage.get("cache_read_input_tokens")), _int(usage.get("cache_creation_input_tokens"))
    details = usage.get("output_tokens_details")
    reasoning = _int(details.get("thinking_tokens")) if isinstance(details, dict) else None
    return openai_usage(_int(usage.get("input_tokens")) + read + write, _int(usage.get("output_tokens")),
                        cached=read, cache_write=write, reasoning=reasoning)


def anthropic_usage_from_openai(usage: dict[str, Any] | None) -> dict[str, Any]:
    usage = usage or {}
    details = usage.get("prompt_tokens_details")
    details = details if isinstance(details, dict) else {}
    read, write = _int(details.get("cached_tokens")), _int(details.get("cache_write_tokens"))
    return {"input_tokens": max(_int(usage.get("prompt_tokens")) - read - write, 0),
            "output_tokens": _int(usage.get("completion_tokens")),
            "cache_creation_input_tokens": write, "cache_read_input_tokens": read}


def openai_usage_from_gemini(meta: dict[str, Any] | None) -> dict[str, Any]:
    meta = meta or {}
    thoughts = _int(meta.get("thoughtsTokenCount"))
    reasoning = thoughts if "thoughtsTokenCount" in meta else None
    # Tool-use prompt tokens (e.g. search results fed back to the model) are input the caller pays for.
    prompt = _int(meta.get("promptTokenCount")) + _int(meta.get("toolUsePromptTokenCount"))
    return openai_usage(prompt, _int(meta.get("candidatesTokenCount")) + thoughts,
                        cached=_int(meta.get("cachedContentTokenCount")), reasoning=reasoning)
