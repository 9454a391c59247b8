"""An Anthropic `Message` → an OpenAI `ChatCompletion` (claude-* answering /v1/chat/completions).

    completion = completion_from_message(message, structured_tool=request.structured_tool)

Text blocks join into `content`; `tool_use` blocks become `tool_calls` with their ids; thinking
becomes `reasoning_content` (the field DeepSeek-style clients read); the forced structured-output
tool (see chat_to_messages) becomes the message text and the finish reason "stop".
"""

from __future__ import annotations

import time
from typing import Any

from tollway.wire.translate.openai_shapes import assistant_message
from tollway.wire.translate.stop_and_usage import finish_reason_for, openai_usage_from_anthropic
from tollway.wire.translate.tool_calls import arguments_text

Body = dict[str, Any]


def completion_from_message(message: Body, *, structured_tool: str | None = None,
                            created: int | None = None) -> Body:
    texts: list[str] = []
    thinking: list[str] = []
    calls: list[Body] = []
    for block in message.get("content") or ():
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text", ""))
        elif kind == "thinking":
            thinking.append(block.get("thinking", ""))
        elif kind == "tool_use" and block.get("name") == structured_tool:
            texts.append(arguments_text(block.get("input")))
        elif kind == "tool_use":
            calls.append({"id": block.get("id"), "type": "function",
                          "function": {"name": block.get("name"), "arguments": arguments_text(block.get("input"))}})
    finish = finish_reason_for(message.get("stop_reason"))
    if finish == "tool_calls" and not calls:
        finish = "stop"  # only the structured-output tool was "called": that is the answer
    reply = assistant_message(texts, thinking, calls)
    return {"id": message.get("id"), "object": "chat.completion",
            "created": int(time.time()) if created is None else created, "model": message.get("model"),
            "choices": [{"index": 0, "message": reply, "logprobs": None, "finish_reason": finish}],
            "usage": openai_usage_from_anthropic(message.get("usage"))}
