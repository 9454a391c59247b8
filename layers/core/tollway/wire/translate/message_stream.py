"""Anthropic's message stream → OpenAI `chat.completion.chunk` objects (claude-* streaming chat).

    translator = MessageStreamToChunks(structured_tool=request.structured_tool)
    async for event in aiter_events(response.aiter_bytes()):      # tollway.wire.sse
        for chunk in translator.feed(event.event, event.json()):
            yield chunk                                            # a dict: encode() it
    for chunk in translator.finish():                              # raises if the stream was cut
        yield chunk
    translator.usage                                               # the CompletionUsage, exact

Order of what comes out: the role chunk (at message_start); content, reasoning_content and
tool_calls deltas as they arrive (each tool_use block gets the next tool-call index; its first
delta carries id, type, name and arguments ""); the finish chunk (at message_delta); the usage
chunk with `choices: []` (at message_stop) — always, so the router can charge; it forwards it to
the client only if the client asked. An `error` event raises UpstreamError.
"""

from __future__ import annotations

from typing import Any

from tollway.errors import UpstreamError
from tollway.wire.translate.openai_shapes import ChunkWriter
from tollway.wire.translate.stop_and_usage import finish_reason_for, openai_usage_from_anthropic

Body = dict[str, Any]


class MessageStreamToChunks:
    def __init__(self, *, structured_tool: str | None = None, created: int | None = None) -> None:
        self._structured_tool = structured_tool
        self._created = created
        self._writer: ChunkWriter | None = None
        self._usage: Body = {}
        self._tool_index: dict[int, int] = {}  # content block index → tool-call index
        self._filled: set[int] = set()  # tool_use block indexes that got some input JSON
        self._structured_blocks: set[int] = set()
        self.finish_reason: str | None = None
        self.stopped = False

    @property
    def usage(self) -> Body:
        """The OpenAI usage so far; final once the stream has stopped."""
        return openai_usage_from_anthropic(self._usage)

    def feed(self, event: str | None, data: Body) -> list[Body]:
        kind = data.get("type") or event
        if kind == "error":
            error = data.get("error") or {}
            raise UpstreamError(f"anthropic failed mid-stream ({error.get('type') or 'error'})")
        if kind == "message_start":
            return self._start(data.get("message") or {})
        if self._writer is None:
            if kind == "ping":
                return []
            raise UpstreamError("anthropic stream did not begin with message_start")
        handler = {"content_block_start": self._block_start, "content_block_delta": self._block_delta,
                   "content_block_stop": self._block_stop, "message_delta": self._message_delta,
                   "message_stop": self._message_stop}.get(str(kind))
        return handler(data) if handler else []  # ping, and event types newer than this code

    def finish(self) -> list[Body]:
        if not self.stopped:
            raise UpstreamError("anthropic stream ended before message_stop")
        return []

    def _start(self, message: Body) -> list[Body]:
        self._writer = ChunkWriter(id=str(message.get("id") or "msg"), model=str(message.get("model") or ""),
                                   created=self._created)
        self._usage = dict(message.get("usage") or {})
        return [self._writer.delta({"role": "assistant", "content": ""})]

    def _block_start(self, data: Body) -> list[Body]:
        assert self._writer is not None
        block, index = data.get("content_block") or {}, data.get("index")
        if not isinstance(index, int):
            return []
        if block.get("type") == "tool_use" and block.get("name") == self._structured_tool:
            self._structured_blocks.add(index)
        elif block.get("type") == "tool_use":
            call = self._tool_index[index] = len(self._tool_index)
            return [self._writer.delta({"tool_calls": [
                {"index": call, "id": block.get("id"), "type": "function",
                 "function": {"name": block.get("name"), "arguments": ""}}]})]
        elif block.get("type") == "text" and block.get("text"):
            return [self._writer.delta({"content": block["text"]})]
        return []

    def _block_delta(self, data: Body) -> list[Body]:
        assert self._writer is not None
        delta, index = data.get("delta") or {}, data.get("index")
        kind = delta.get("type")
        if kind == "text_delta" and delta.get("text"):
            return [self._writer.delta({"content": delta["text"]})]
        if kind == "thinking_delta" and delta.get("thinking"):
            return [self._writer.delta({"reasoning_content": delta["thinking"]})]
        if kind == "input_json_delta" and delta.get("partial_json") and isinstance(index, int):
            self._filled.add(index)
            if index in self._structured_blocks:
                return [self._writer.delta({"content": delta["partial_json"]})]
            if index in self._tool_index:
                return [self._writer.delta({"tool_calls": [
                    {"index": self._tool_index[index], "function": {"arguments": delta["partial_json"]}}]})]
        return []  # signature_delta, citations_delta, empty deltas

    def _block_stop(self, data: Body) -> list[Body]:
        assert self._writer is not None
        index = data.get("index")
        if not isinstance(index, int) or index in self._filled:
            return []
        # A tool called with no input: OpenAI says "{}", and clients json.loads() the arguments.
        if index in self._tool_index:
            return [self._writer.delta({"tool_calls": [{"index": self._tool_index[index],
                                                        "function": {"arguments": "{}"}}]})]
        if index in self._structured_blocks:
            return [self._writer.delta({"content": "{}"})]
        return []

    def _message_delta(self, data: Body) -> list[Body]:
        assert self._writer is not None
        # Counts on message_delta are cumulative: they replace, and absent ones keep their value.
        self._usage.update({k: v for k, v in (data.get("usage") or {}).items() if v is not None})
        reason = (data.get("delta") or {}).get("stop_reason")
        if reason is None:
            return []
        finish = finish_reason_for(reason)
        if finish == "tool_calls" and not self._tool_index:
            finish = "stop"  # only the structured-output tool was "called": that is the answer
        self.finish_reason = finish
        return [self._writer.finish(finish)]

    def _message_stop(self, data: Body) -> list[Body]:
        assert self._writer is not None
        self.stopped = True
        return [self._writer.usage(self.usage)]
