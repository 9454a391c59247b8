"""Chat Completions answers as Responses API objects: a whole ChatCompletion, or its chunk stream as
the Responses event stream (the shapes of openai-python's `types/responses/`).

    response = response_from_completion(completion, raw)            # the `response` object
    events = ChunksToResponseEvents(raw)
    events.feed(chunk) -> [(name, data), ...]   # response.created, response.output_item.added, …
    events.finish()    -> [..., ("response.completed", {...usage})]

A stream opens with response.created and response.in_progress; text is one message item whose
output_text part grows by response.output_text.delta; each tool call is a function_call item whose
arguments grow by response.function_call_arguments.delta; every item is closed (…done events) before
response.completed, or response.incomplete when the model hit its token limit. Every event carries
its sequence_number.
"""

from __future__ import annotations

import time
from typing import Any

from tollway.wire.openai_responses import item_id, response_id

_ECHOED = ("instructions", "max_output_tokens", "temperature", "top_p", "metadata", "user", "previous_response_id")


def usage_from_chat(usage: Any) -> dict[str, Any] | None:
    if not isinstance(usage, dict):
        return None
    prompt, completion = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
    reasoning = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
    return {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
            "output_tokens": completion, "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": prompt + completion}


def response_shell(raw: dict[str, Any], model: str, rid: str | None = None) -> dict[str, Any]:
    """A response object with no output yet, echoing the request's settings as OpenAI does."""
    shell: dict[str, Any] = {
        "id": rid or response_id(), "object": "response", "created_at": int(time.time()), "status": "in_progress",
        "background": False, "error": None, "incomplete_details": None, "model": model, "output": [],
        "parallel_tool_calls": raw.get("parallel_tool_calls") is not False, "reasoning": {"effort": None, "summary": None},
        "store": False, "text": {"format": (raw.get("text") or {}).get("format") or raw.get("response_format")
                                 or {"type": "text"}},
        "tool_choice": raw.get("tool_choice") or "auto", "tools": raw.get("tools") or [], "truncation": "disabled",
        "usage": None}
    shell |= {name: raw.get(name) for name in _ECHOED}
    shell["metadata"] = shell["metadata"] or {}
    return shell


def _message_item(text: str, status: str, refusal: str | None = None) -> dict[str, Any]:
    content = [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}] if refusal is None else \
        [{"type": "refusal", "refusal": refusal}]
    return {"id": item_id("msg"), "type": "message", "role": "assistant", "status": status, "content": content}


def _call_item(call_id: str, name: str, arguments: str, status: str) -> dict[str, Any]:
    return {"id": item_id("fc"), "type": "function_call", "call_id": call_id, "name": name,
            "arguments": arguments, "status": status}


def _finish(response: dict[str, Any], finish_reason: str | None, usage: dict[str, Any] | None) -> dict[str, Any]:
    if finish_reason == "length":
        response |= {"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}}
    elif finish_reason == "content_filter":
        response |= {"status": "incomplete", "incomplete_details": {"reason": "content_filter"}}
    else:
        response["status"] = "completed"
    response["usage"] = usage
    return response


def response_from_completion(completion: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    choice = (completion.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    response = response_shell(raw, str(completion.get("model") or raw.get("model")))
    output = response["output"]
    text, refusal = message.get("content"), message.get("refusal")
    if isinstance(text, list):  # some compatible servers answer with parts
        text = "".join(p.get("text", "") for p in text if isinstance(p, dict))
    if refusal:
        output.append(_message_item("", "completed", refusal))
    elif text:
        output.append(_message_item(text, "completed"))
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        arguments = function.get("arguments")
        output.append(_call_item(str(call.get("id") or item_id("call")), str(function.get("name") or ""),
                                 arguments if isinstance(arguments, str) else "{}", "completed"))
    return _finish(response, choice.get("finish_reason"), usage_from_chat(completion.get("usage")))


Event = tuple[str, dict[str, Any]]


class ChunksToResponseEvents:
    """chat.completion.chunk dicts → the Responses event stream (name, data) pairs."""

    def __init__(self, raw: dict[str, Any], model: str) -> None:
        self.response = response_shell(raw, model)
        self.openai_usage: dict[str, Any] | None = None
        self._sequence = 0
        self._started = False
        self._text: dict[str, Any] | None = None  # the open message item
        self._text_index = 0
        self._calls: dict[int, tuple[int, dict[str, Any]]] = {}  # chat tool index → (output index, item)
        self._finish_reason: str | None = None

    def _event(self, name: str, **data: Any) -> Event:
        event = {"type": name, "sequence_number": self._sequence, **data}
        self._sequence += 1
        return name, event

    def _snapshot(self) -> dict[str, Any]:
        return {**self.response, "output": [dict(item) for item in self.response["output"]]}

    def _start(self) -> list[Event]:
        if self._started:
            return []
        self._started = True
        return [self._event("response.created", response=self._snapshot()),
                self._event("response.in_progress", response=self._snapshot())]

    def feed(self, chunk: dict[str, Any]) -> list[Event]:
        events = self._start()
        if isinstance(chunk.get("usage"), dict):
            self.openai_usage = chunk["usage"]
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if isinstance(text, str) and text:
                events += self._text_delta(text)
            for call in delta.get("tool_calls") or ():
                events += self._call_delta(call)
            if choice.get("finish_reason"):
                self._finish_reason = choice["finish_reason"]
        return events

    def _text_delta(self, text: str) -> list[Event]:
        events: list[Event] = []
        if self._text is None:
            self._text = _message_item("", "in_progress")
            self._text["content"] = []
            self._text_index = len(self.response["output"])
            self.response["output"].append(self._text)
            events.append(self._event("response.output_item.added", output_index=self._text_index,
                                      item={**self._text, "content": []}))
            self._text["content"].append({"type": "output_text", "text": "", "annotations": [], "logprobs": []})
            events.append(self._event("response.content_part.added", item_id=self._text["id"],
                                      output_index=self._text_index, content_index=0,
                                      part={"type": "output_text", "text": "", "annotations": [], "logprobs": []}))
        self._text["content"][0]["text"] += text
        events.append(self._event("response.output_text.delta", item_id=self._text["id"], output_index=self._text_index,
                                  content_index=0, delta=text, logprobs=[]))
        return events

    def _call_delta(self, call: dict[str, Any]) -> list[Event]:
        events: list[Event] = []
        index = call.get("index", 0)
        function = call.get("function") or {}
        if index not in self._calls:
            item = _call_item(str(call.get("id") or item_id("call")), str(function.get("name") or ""), "", "in_progress")
            output_index = len(self.response["output"])
            self.response["output"].append(item)
            self._calls[index] = (output_index, item)
            events.append(self._event("response.output_item.added", output_index=output_index, item=dict(item)))
        output_index, item = self._calls[index]
        piece = function.get("arguments")
        if isinstance(piece, str) and piece:
            item["arguments"] += piece
            events.append(self._event("response.function_call_arguments.delta", item_id=item["id"],
                                      output_index=output_index, delta=piece))
        return events

    def finish(self) -> list[Event]:
        events = self._start()
        if self._text is not None:
            part = self._text["content"][0]
            self._text["status"] = "completed"
            events += [self._event("response.output_text.done", item_id=self._text["id"], output_index=self._text_index,
                                   content_index=0, text=part["text"], logprobs=[]),
                       self._event("response.content_part.done", item_id=self._text["id"],
                                   output_index=self._text_index, content_index=0, part=dict(part)),
                       self._event("response.output_item.done", output_index=self._text_index,
                                   item={**self._text, "content": [dict(part)]})]
        for output_index, item in self._calls.values():
            item["status"] = "completed"
            events += [self._event("response.function_call_arguments.done", item_id=item["id"],
                                   output_index=output_index, arguments=item["arguments"]),
                       self._event("response.output_item.done", output_index=output_index, item=dict(item))]
        final = _finish(self._snapshot(), self._finish_reason, usage_from_chat(self.openai_usage))
        name = "response.completed" if final["status"] == "completed" else "response.incomplete"
        events.append(self._event(name, response=final))
        return events
