"""An OpenAI `ChatCompletion` → an Anthropic `Message` (non-claude models answering /v1/messages).

    message = message_from_completion(completion)                  # thinking dropped
    message = message_from_completion(completion, thinking=True)   # reasoning_content → thinking block

Only the first choice is used (/v1/messages asks for one). Reasoning becomes a thinking block only
when the caller asked for thinking: the block carries an empty signature (there is none to give),
which a client must not send on to Claude, so it is not produced unasked.
"""

from __future__ import annotations

from typing import Any

from tollway.errors import UpstreamError
from tollway.wire.json_text import parse_json
from tollway.wire.translate.stop_and_usage import anthropic_usage_from_openai, stop_reason_for

Body = dict[str, Any]


def message_id(completion_id: Any) -> str:
    text = str(completion_id or "")
    return text if text.startswith("msg_") else "msg_" + text.removeprefix("chatcmpl-")


def tool_input(arguments: Any) -> dict[str, Any]:
    """A model's `arguments` as the object Anthropic clients expect; a model that produced invalid
    JSON failed the request (the router may fall back), because no object can stand for it."""
    if not arguments:
        return {}
    try:
        parsed = parse_json(arguments)
    except (TypeError, ValueError):
        raise UpstreamError("the model produced tool-call arguments that are not valid JSON") from None
    if not isinstance(parsed, dict):
        raise UpstreamError("the model produced tool-call arguments that are not a JSON object")
    return parsed


def message_from_completion(completion: Body, *, thinking: bool = False) -> Body:
    choices = completion.get("choices") or [{}]
    choice = choices[0]
    reply = choice.get("message") or {}
    content: list[Body] = []
    if thinking and reply.get("reasoning_content"):
        content.append({"type": "thinking", "thinking": reply["reasoning_content"], "signature": ""})
    if reply.get("content"):
        content.append({"type": "text", "text": reply["content"]})
    if reply.get("refusal"):
        content.append({"type": "text", "text": reply["refusal"]})
    for call in reply.get("tool_calls") or ():
        function = call.get("function") or {}
        content.append({"type": "tool_use", "id": call.get("id"), "name": function.get("name"),
                        "input": tool_input(function.get("arguments"))})
    stop_reason = "refusal" if reply.get("refusal") else stop_reason_for(choice.get("finish_reason"))
    return {"id": message_id(completion.get("id")), "type": "message", "role": "assistant",
            "model": completion.get("model"), "content": content, "stop_reason": stop_reason,
            "stop_sequence": None, "usage": anthropic_usage_from_openai(completion.get("usage"))}
