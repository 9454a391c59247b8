"""OpenAI `chat.completion.chunk` objects → Anthropic's message stream (non-claude models, /v1/messages).

    translator = ChunksToMessageEvents(model="gpt-4o-mini", input_tokens=prompt_estimate)
    for chunk in upstream_chunks:                         # parsed dicts, [DONE] excluded
        for name, data in translator.feed(chunk):
            yield encode_event(name, data)                # tollway.wire.sse
    for name, data in translator.finish():                # at [DONE]: message_delta, message_stop
        yield encode_event(name, data)
    translator.usage          # Anthropic usage: the upstream's, or an estimate if it sent none
    translator.openai_usage   # the upstream's own CompletionUsage, or None

The events follow the real API's order: message_start (usage.input_tokens is the estimate passed
in: OpenAI reports usage only at the end), ping, then per content block content_block_start /
content_block_delta… / content_block_stop — text (text_delta), tool_use (input_json_delta) and,
with `thinking=True`, thinking (thinking_delta) — a new kind of content closing the open block;
message_delta with stop_reason and the usage; message_stop.

Anthropic blocks cannot interleave, so an upstream that resumes a tool call after starting
another (no known provider does) fails the stream with UpstreamError rather than corrupting it.
"""

from __future__ import annotations

from typing import Any

from tollway.errors import UpstreamError
from tollway.wire.token_estimate import estimate_text_tokens
from tollway.wire.translate.completion_to_message import message_id
from tollway.wire.translate.stop_and_usage import anthropic_usage_from_openai, stop_reason_for

Body = dict[str, Any]
Event = tuple[str, Body]


class ChunksToMessageEvents:
    def __init__(self, *, model: str, message_id: str | None = None, input_tokens: int = 0,
                 thinking: bool = False) -> None:
        self._model = model
        self._message_id = message_id
        self._input_tokens = input_tokens
        self._thinking = thinking
        self._started = False
        self._blocks = 0  # content blocks started so far
        self._open: tuple[str, int] | None = None  # (kind, OpenAI tool index or -1), while a block is open
        self._tool_blocks: dict[int, int] = {}  # OpenAI tool-call index → Anthropic block index
        self._generated: list[str] = []  # everything generated, for the estimate when usage is missing
        self._refused = False
        self.finish_reason: str | None = None
        self.openai_usage: Body | None = None

    @property
    def usage(self) -> Body:
        if self.openai_usage is not None:
            return anthropic_usage_from_openai(self.openai_usage)
        return {"input_tokens": self._input_tokens, "output_tokens": estimate_text_tokens("".join(self._generated)),
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}

    def feed(self, chunk: Body) -> list[Event]:
        if "error" in chunk and not chunk.get("choices"):
            raise UpstreamError("the upstream failed mid-stream")
        events = self._start(chunk)
        if isinstance(chunk.get("usage"), dict):
            self.openai_usage = chunk["usage"]
        for choice in chunk.get("choices") or ():
            if choice.get("index", 0) != 0:
                continue  # /v1/messages asks for one choice
            delta = choice.get("delta") or {}
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                self._generated.append(reasoning)
                if self._thinking:
                    events += self._text("thinking", reasoning)
            for key in ("content", "refusal"):
                if isinstance(delta.get(key), str) and delta[key]:
                    self._refused |= key == "refusal"
                    events += self._text("text", delta[key])
            for call in delta.get("tool_calls") or ():
                events += self._tool_call(call)
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
                events += self._close()
        return events

    def finish(self) -> list[Event]:
        events = self._start({}) + self._close()
        stop_reason = "refusal" if self._refused else stop_reason_for(self.finish_reason)
        usage = self.usage
        if self.openai_usage is None:  # only the output count can be estimated honestly
            usage = {"output_tokens": usage["output_tokens"]}
        events.append(("message_delta", {"type": "message_delta",
                                         "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                                         "usage": usage}))
        events.append(("message_stop", {"type": "message_stop"}))
        return events

    def _start(self, chunk: Body) -> list[Event]:
        if self._started:
            return []
        self._started = True
        message = {"id": self._message_id or message_id(chunk.get("id") or "stream"), "type": "message",
                   "role": "assistant", "model": self._model, "content": [], "stop_reason": None,
                   "stop_sequence": None,
                   "usage": {"input_tokens": self._input_tokens, "output_tokens": 0,
                             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}
        return [("message_start", {"type": "message_start", "message": message}), ("ping", {"type": "ping"})]

    def _open_block(self, kind: str, key: int, block: Body) -> list[Event]:
        events = self._close()
        self._open = (kind, key)
        self._blocks += 1
        return events + [("content_block_start", {"type": "content_block_start", "index": self._blocks - 1,
                                                  "content_block": block})]

    def _close(self) -> list[Event]:
        if self._open is None:
            return []
        self._open = None
        return [("content_block_stop", {"type": "content_block_stop", "index": self._blocks - 1})]

    def _text(self, kind: str, text: str) -> list[Event]:
        events: list[Event] = []
        if self._open != (kind, -1):
            start = {"type": "text", "text": ""} if kind == "text" else {"type": "thinking", "thinking": "",
                                                                          "signature": ""}
            events = self._open_block(kind, -1, start)
        if kind == "text":
            self._generated.append(text)
        delta = {"type": "text_delta", "text": text} if kind == "text" else {"type": "thinking_delta",
                                                                             "thinking": text}
        return events + [("content_block_delta", {"type": "content_block_delta", "index": self._blocks - 1,
                                                  "delta": delta})]

    def _tool_call(self, call: Body) -> list[Event]:
        key = call.get("index", 0)
        function = call.get("function") or {}
        events: list[Event] = []
        if key not in self._tool_blocks:
            block = {"type": "tool_use", "id": call.get("id") or f"toolu_{self._blocks}",
                     "name": function.get("name") or "", "input": {}}
            events = self._open_block("tool_use", key, block)
            self._tool_blocks[key] = self._blocks - 1
        elif self._open != ("tool_use", key):
            raise UpstreamError("the upstream interleaved two tool calls; the stream cannot be translated")
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            self._generated.append(arguments)
            events.append(("content_block_delta", {"type": "content_block_delta", "index": self._tool_blocks[key],
                                                   "delta": {"type": "input_json_delta", "partial_json": arguments}}))
        return events
