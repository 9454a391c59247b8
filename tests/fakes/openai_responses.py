"""OpenAI's Responses API for the fake OpenAI upstream: POST /v1/responses, JSON or its event stream,
in the real wire format (response.created … response.completed with usage).

    FakeOpenAI() serves it; upstream.script(Behaviour(...)) drives it as it drives chat.

Replies echo the last user text (a string `input`, or the last user item's input_text) word by word:
input_tokens = PROMPT_TOKENS, output_tokens = words sent (capped by max_output_tokens); tool calls
stream as function_call items whose arguments come in pieces of `Behaviour.argument_piece`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from tests.fakes.scripted import (
    PROMPT_TOKENS,
    StreamItem,
    arguments_json,
    generated_tokens,
    pieces,
    reply_words,
)

if TYPE_CHECKING:
    from tests.fakes.openai_upstream import FakeOpenAI


def last_user_text(body: dict[str, Any]) -> str:
    given = body.get("input")
    if isinstance(given, str):
        return given
    for item in reversed(given or []):
        if isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, str):
                return content
            texts = [p.get("text", "") for p in content or [] if isinstance(p, dict) and p.get("type") == "input_text"]
            if texts:
                return texts[-1]
    return ""


async def respond(fake: FakeOpenAI, request: Request) -> Response:
    body, behaviour = await fake._take(request)
    await fake._wait(behaviour)
    if behaviour.status != 200:
        message = behaviour.error_message or f"fake upstream failure {behaviour.status}"
        return JSONResponse({"error": {"message": message, "type": "server_error", "code": None, "param": None}},
                            status_code=behaviour.status, headers=fake._retry_headers(behaviour))
    reply = behaviour.reply
    words, capped = reply_words(reply, last_user_text(body), body.get("max_output_tokens"))
    calls = [(call.id or f"call_fake{i}", call) for i, call in enumerate(reply.tool_calls)] if reply else []
    generated = generated_tokens(words, (c for _, c in calls), behaviour.argument_piece)
    usage = None if behaviour.omit_usage else {
        "input_tokens": PROMPT_TOKENS, "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": generated, "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": PROMPT_TOKENS + generated}
    response: dict[str, Any] = {
        "id": "resp_fake", "object": "response", "created_at": int(time.time()), "status": "in_progress",
        "error": None, "incomplete_details": None, "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"), "model": body["model"], "output": [],
        "parallel_tool_calls": True, "previous_response_id": body.get("previous_response_id"),
        "temperature": body.get("temperature"), "text": {"format": {"type": "text"}}, "tool_choice": "auto",
        "tools": body.get("tools") or [], "top_p": None, "truncation": "disabled", "usage": None, "metadata": {}}
    message = {"id": "msg_fake", "type": "message", "role": "assistant", "status": "completed",
               "content": [{"type": "output_text", "text": " ".join(words), "annotations": [], "logprobs": []}]}
    items = ([message] if words else []) + [
        {"id": f"fc_fake{i}", "type": "function_call", "call_id": call_id, "name": call.name,
         "arguments": arguments_json(call.arguments), "status": "completed"} for i, (call_id, call) in enumerate(calls)]
    final = {**response, "output": items, "usage": usage,
             "status": "incomplete" if capped else "completed",
             "incomplete_details": {"reason": "max_output_tokens"} if capped else None}
    if not body.get("stream"):
        return JSONResponse(final)
    return StreamingResponse(fake._paced(_events(response, words, calls, final, behaviour.argument_piece), behaviour,
                                         _event("error", {"type": "error", "code": "server_error",
                                                          "message": "fake upstream failed mid-stream",
                                                          "param": None, "sequence_number": 0}).data),
                             media_type="text/event-stream")


def _event(name: str, data: dict[str, Any], content: bool = False) -> StreamItem:
    return StreamItem(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode(), content)


def _events(response: dict[str, Any], words: list[str], calls: list[tuple[str, Any]], final: dict[str, Any],
            piece: int) -> list[StreamItem]:
    out: list[StreamItem] = []

    def add(name: str, content: bool = False, **data: Any) -> None:
        out.append(_event(name, {"type": name, "sequence_number": len(out), **data}, content))

    add("response.created", response=response)
    add("response.in_progress", response=response)
    index = 0
    if words:
        text = ""
        add("response.output_item.added", output_index=0,
            item={"id": "msg_fake", "type": "message", "role": "assistant", "status": "in_progress", "content": []})
        add("response.content_part.added", item_id="msg_fake", output_index=0, content_index=0,
            part={"type": "output_text", "text": "", "annotations": [], "logprobs": []})
        for i, word in enumerate(words):
            delta = word if i == 0 else " " + word
            text += delta
            add("response.output_text.delta", True, item_id="msg_fake", output_index=0, content_index=0, delta=delta,
                logprobs=[])
        add("response.output_text.done", item_id="msg_fake", output_index=0, content_index=0, text=text, logprobs=[])
        add("response.content_part.done", item_id="msg_fake", output_index=0, content_index=0,
            part={"type": "output_text", "text": text, "annotations": [], "logprobs": []})
        add("response.output_item.done", output_index=0, item=final["output"][0])
        index = 1
    for n, (_call_id, call) in enumerate(calls):
        item = final["output"][index + n]
        add("response.output_item.added", output_index=index + n, item={**item, "arguments": "", "status": "in_progress"})
        for chunk in pieces(arguments_json(call.arguments), piece):
            add("response.function_call_arguments.delta", True, item_id=item["id"], output_index=index + n, delta=chunk)
        add("response.function_call_arguments.done", item_id=item["id"], output_index=index + n,
            arguments=item["arguments"])
        add("response.output_item.done", output_index=index + n, item=item)
    add("response.completed" if final["status"] == "completed" else "response.incomplete", response=final)
    return out
