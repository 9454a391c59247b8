"""Gemini `GenerateContentResponse` → OpenAI `ChatCompletion`, and its stream → chunks.

    completion = completion_from_gemini(response, model="gemini-2.5-flash")

    translator = GeminiStreamToChunks(model="gemini-2.5-flash")
    async for event in aiter_events(response.aiter_bytes()):       # :streamGenerateContent?alt=sse
        for chunk in translator.feed(event.json()):
            yield chunk
    for chunk in translator.finish():                               # the usage chunk
        yield chunk
    translator.usage                                                # CompletionUsage, exact

Candidates become choices. Text parts join into `content`, thought parts (`"thought": true`) into
`reasoning_content`; each `functionCall` part becomes one tool call — whole, never split into
argument deltas, because Gemini sends it whole — with Gemini's id when it gave one, else a
generated id that is the same for a stream and its non-streamed twin. A thought signature rides
along as `extra_content.google.thought_signature` (see chat_to_gemini for the way back). A prompt
Gemini blocks outright comes back as an empty answer with finish_reason "content_filter".
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from tollway.errors import UpstreamError
from tollway.wire.translate.openai_shapes import ChunkWriter, assistant_message
from tollway.wire.translate.stop_and_usage import finish_reason_for_gemini, openai_usage_from_gemini
from tollway.wire.translate.tool_calls import arguments_text, generated_call_id

Body = dict[str, Any]


def completion_id(response: Body) -> str:
    return "chatcmpl-" + str(response.get("responseId") or uuid.uuid4().hex)


def tool_call(part: Body, response_id: str, candidate: int, ordinal: int) -> Body:
    function = part["functionCall"]
    name, args = function.get("name") or "", function.get("args") or {}
    call: Body = {"id": function.get("id") or generated_call_id(response_id, candidate, ordinal, name, args),
                  "type": "function", "function": {"name": name, "arguments": arguments_text(args)}}
    if part.get("thoughtSignature"):
        call["extra_content"] = {"google": {"thought_signature": part["thoughtSignature"]}}
    return call


def _candidates(response: Body) -> list[tuple[int, Body]]:
    return [(c.get("index", position), c) for position, c in enumerate(response.get("candidates") or ())]


def _blocked(response: Body) -> bool:
    return not response.get("candidates") and bool((response.get("promptFeedback") or {}).get("blockReason"))


def completion_from_gemini(response: Body, *, model: str, created: int | None = None) -> Body:
    response_id = str(response.get("responseId") or "")
    choices = []
    for index, candidate in _candidates(response):
        texts, thoughts, calls = [], [], []
        for part in (candidate.get("content") or {}).get("parts") or ():
            if "functionCall" in part:
                calls.append(tool_call(part, response_id, index, len(calls)))
            elif isinstance(part.get("text"), str):
                (thoughts if part.get("thought") else texts).append(part["text"])
        choices.append({"index": index, "message": assistant_message(texts, thoughts, calls), "logprobs": None,
                        "finish_reason": finish_reason_for_gemini(candidate.get("finishReason"),
                                                                  called_tools=bool(calls))})
    if _blocked(response):
        choices.append({"index": 0, "message": {"role": "assistant", "content": "", "refusal": None},
                        "logprobs": None, "finish_reason": "content_filter"})
    if not choices:
        raise UpstreamError("gemini answered without candidates")
    return {"id": completion_id(response), "object": "chat.completion",
            "created": int(time.time()) if created is None else created, "model": model,
            "choices": choices, "usage": openai_usage_from_gemini(response.get("usageMetadata"))}


class GeminiStreamToChunks:
    def __init__(self, *, model: str, created: int | None = None) -> None:
        self._model = model
        self._created = created
        self._writer: ChunkWriter | None = None
        self._response_id = ""
        self._calls: dict[int, int] = {}  # candidate → tool calls so far
        self._open: set[int] = set()  # candidates that have begun and not finished
        self._finished: set[int] = set()
        self._usage_metadata: Body = {}

    @property
    def usage(self) -> Body:
        return openai_usage_from_gemini(self._usage_metadata)

    def feed(self, response: Body) -> list[Body]:
        if isinstance(response.get("error"), dict):
            raise UpstreamError(f"gemini failed mid-stream ({response['error'].get('status') or 'error'})")
        if self._writer is None:
            self._response_id = str(response.get("responseId") or "")
            self._writer = ChunkWriter(id=completion_id(response), model=self._model, created=self._created)
        if isinstance(response.get("usageMetadata"), dict):
            self._usage_metadata = response["usageMetadata"]
        chunks: list[Body] = []
        candidates = _candidates(response)
        if _blocked(response):
            candidates = [(0, {"finishReason": "PROHIBITED_CONTENT"})]
        for index, candidate in candidates:
            chunks += self._candidate(index, candidate)
        return chunks

    def finish(self) -> list[Body]:
        if self._writer is None or self._open or not self._finished:
            raise UpstreamError("gemini stream ended before its finish reason")
        return [self._writer.usage(self.usage)]

    def _candidate(self, index: int, candidate: Body) -> list[Body]:
        writer = self._writer
        assert writer is not None
        chunks = []
        if index not in self._open and index not in self._finished:
            self._open.add(index)
            chunks.append(writer.delta({"role": "assistant", "content": ""}, index=index))
        for part in (candidate.get("content") or {}).get("parts") or ():
            if "functionCall" in part:
                ordinal = self._calls.get(index, 0)
                self._calls[index] = ordinal + 1
                call = tool_call(part, self._response_id, index, ordinal)
                chunks.append(writer.delta({"tool_calls": [{"index": ordinal, **call}]}, index=index))
            elif isinstance(part.get("text"), str) and part["text"]:
                key = "reasoning_content" if part.get("thought") else "content"
                chunks.append(writer.delta({key: part["text"]}, index=index))
        if candidate.get("finishReason") and index in self._open:
            self._open.discard(index)
            self._finished.add(index)
            reason = finish_reason_for_gemini(candidate["finishReason"], called_tools=bool(self._calls.get(index)))
            chunks.append(writer.finish(reason, index=index))
        return chunks
