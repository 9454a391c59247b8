"""A fake Gemini upstream: a real HTTP server speaking generateContent and streamGenerateContent.

    upstream = FakeGemini().start()          # upstream.url is a GEMINI_BASE_URL (paths start /v1beta)
    upstream.script(Behaviour(reply=Reply(tool_calls=[ToolCall("lookup", {"q": "tea"})])))
    upstream.script(Behaviour(status=429))   # RESOURCE_EXHAUSTED
    upstream.requests[-1].body

`POST /v1beta/models/{model}:generateContent` answers JSON; `:streamGenerateContent?alt=sse`
answers SSE (one GenerateContentResponse per `data:` event, CRLF-terminated as Google sends them),
and without `alt=sse` a JSON array of the same responses. The key comes in `x-goog-api-key` (or
`?key=`). Requests are checked as tests/fakes/gemini_checks.py says; errors are Google-shaped:
{"error": {"code", "message", "status"}}. The default reply echoes the last user text word by word.
Function calls come whole (one part each, with no `id` unless the script gives one); the first
carries a thought signature, as Gemini 3 does.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.gemini_checks import Refused, check_body, check_key
from tests.fakes.scripted import (
    PROMPT_TOKENS,
    Behaviour,
    Reply,
    ScriptedUpstream,
    StreamItem,
    TokenUsage,
    ToolCall,
    reply_words,
)

__all__ = ["API_KEY", "PROMPT_TOKENS", "Behaviour", "FakeGemini", "Reply", "TokenUsage", "ToolCall"]

API_KEY = "gemini-fake-upstream-key"
SIGNATURE = "ZmFrZS10aG91Z2h0LXNpZ25hdHVyZQ=="
_STATUSES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
             429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


def error_response(status: int, message: str, code: str | None = None, reason: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    error: dict[str, Any] = {"code": status, "message": message, "status": code or _STATUSES.get(status, "UNKNOWN")}
    if reason:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                             "domain": "googleapis.com"}]
    return JSONResponse({"error": error}, status_code=status, headers=headers)


class FakeGemini(ScriptedUpstream):
    def __init__(self, default: Behaviour | None = None, api_key: str = API_KEY) -> None:
        super().__init__([Route("/v1beta/models/{model_action}", self._generate, methods=["POST"]),
                          Route("/v1beta/models", self._models, methods=["GET"])], default)
        self.api_key = api_key
        self._count = 0

    async def _models(self, request: Request) -> Response:
        try:
            check_key(request.headers.get("x-goog-api-key") or request.query_params.get("key"), self.api_key)
        except Refused as refused:
            return error_response(refused.status, refused.message, refused.code, refused.reason)
        return JSONResponse({"models": [{"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash",
                                         "supportedGenerationMethods": ["generateContent"]}]})

    async def _generate(self, request: Request) -> Response:
        model, _, action = request.path_params["model_action"].partition(":")
        if action not in ("generateContent", "streamGenerateContent"):
            return error_response(404, f"Method {action!r} not found for models/{model}")
        body, behaviour = await self._take(request)
        try:
            check_key(request.headers.get("x-goog-api-key") or request.query_params.get("key"), self.api_key)
            check_body(body, model)
        except Refused as refused:
            return error_response(refused.status, refused.message, refused.code, refused.reason)
        await self._wait(behaviour)
        if behaviour.status != 200:
            message = behaviour.error_message or f"fake upstream failure {behaviour.status}"
            return error_response(behaviour.status, message,
                                  headers=self._retry_headers(behaviour))
        self._count += 1
        responses = self._responses(model, body, behaviour, f"fake-response-{self._count:04d}")
        if action == "generateContent":
            return JSONResponse(_merge(responses))
        if request.query_params.get("alt") != "sse":
            return JSONResponse(responses)
        items = [StreamItem(b"data: " + json.dumps(r, ensure_ascii=False).encode() + b"\r\n\r\n", True)
                 for r in responses]
        error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
        return StreamingResponse(self._paced(items, behaviour, b"data: " + json.dumps(error).encode() + b"\r\n\r\n"),
                                 media_type="text/event-stream")

    def _responses(self, model: str, body: dict[str, Any], behaviour: Behaviour,
                   response_id: str) -> list[dict[str, Any]]:
        """The stream's responses, one part each; the last one carries finishReason and full usage."""
        reply = behaviour.reply
        limit = (body.get("generationConfig") or {}).get("maxOutputTokens")
        words, capped = reply_words(reply, _last_user_text(body), limit)
        parts: list[dict[str, Any]] = []
        if reply is not None and reply.thinking:
            parts.append({"text": reply.thinking, "thought": True})
        parts += [{"text": word if i == 0 else " " + word} for i, word in enumerate(words)]
        for i, call in enumerate(reply.tool_calls if reply else ()):
            part: dict[str, Any] = {"functionCall": {"name": call.name, "args": call.arguments}}
            if call.id:
                part["functionCall"]["id"] = call.id
            if i == 0:
                part["thoughtSignature"] = SIGNATURE
            parts.append(part)
        if not parts:
            parts = [{"text": ""}]
        usage = reply.usage if reply and reply.usage else TokenUsage()
        prompt = usage.input_tokens + usage.cache_read
        generated = len(words) + len(reply.tool_calls if reply else ())
        output = generated if usage.output_tokens is None else usage.output_tokens
        thoughts = len(reply.thinking.split()) if reply and reply.thinking else 0
        full: dict[str, Any] = {"promptTokenCount": prompt, "candidatesTokenCount": output,
                                "totalTokenCount": prompt + output + thoughts,
                                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}]}
        if usage.cache_read:
            full["cachedContentTokenCount"] = usage.cache_read
        if thoughts:
            full["thoughtsTokenCount"] = thoughts
        finish = reply.stop if reply and reply.stop else "MAX_TOKENS" if capped else "STOP"
        responses = []
        for n, part in enumerate(parts):
            candidate: dict[str, Any] = {"content": {"parts": [part], "role": "model"}, "index": 0}
            last = n == len(parts) - 1
            if last:
                candidate["finishReason"] = finish
            responses.append({"candidates": [candidate],
                              "usageMetadata": full if last else {"promptTokenCount": prompt,
                                                                  "totalTokenCount": prompt},
                              "modelVersion": model, "responseId": response_id})
        return responses


def _merge(responses: list[dict[str, Any]]) -> dict[str, Any]:
    """The non-streamed answer: the stream's parts in one candidate, consecutive text joined."""
    parts: list[dict[str, Any]] = []
    for response in responses:
        for part in response["candidates"][0]["content"]["parts"]:
            if parts and set(part) == {"text"} and set(parts[-1]) == {"text"}:
                parts[-1] = {"text": parts[-1]["text"] + part["text"]}
            else:
                parts.append(dict(part))
    last = responses[-1]
    candidate = {"content": {"parts": parts, "role": "model"}, "finishReason": last["candidates"][0]["finishReason"],
                 "index": 0}
    return {"candidates": [candidate], "usageMetadata": last["usageMetadata"], "modelVersion": last["modelVersion"],
            "responseId": last["responseId"]}


def _last_user_text(body: dict[str, Any]) -> str:
    for content in reversed(body.get("contents") or []):
        if content.get("role", "user") == "user":
            return " ".join(p["text"] for p in content.get("parts") or () if isinstance(p.get("text"), str))
    return ""
