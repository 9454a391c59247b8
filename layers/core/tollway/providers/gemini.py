"""Gemini (gemini-*), translated from and to OpenAI chat: `generateContent` and, for streams,
`streamGenerateContent?alt=sse`, authenticated with `x-goog-api-key`.

    provider = GeminiProvider(instance("gemini"))      # GEMINI_API_KEY, GEMINI_BASE_URL
"""

from __future__ import annotations

from typing import Any

from tollway.errors import TollwayError, UpstreamError
from tollway.providers.base import ChatReply, Usage
from tollway.providers.http_upstream import HttpUpstream
from tollway.providers.instances import ProviderInstance
from tollway.providers.upstream_paths import UpstreamPath
from tollway.providers.translated_stream import TranslatedChatStream
from tollway.wire.translate import GeminiStreamToChunks, completion_from_gemini, gemini_request_from_chat

GENERATE = "/v1beta/models/{model}:generateContent"
STREAM = "/v1beta/models/{model}:streamGenerateContent?alt=sse"


class GeminiProvider(HttpUpstream):
    def __init__(self, instance: ProviderInstance) -> None:
        super().__init__(instance.upstream())

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"x-goog-api-key": key}

    def error(self, status: int, content: bytes, retry_after: str | None = None) -> TollwayError:
        # Google answers a bad key with 400 API_KEY_INVALID: our credentials, not the client's request.
        if status in (400, 401, 403) and (b"API_KEY_INVALID" in content or b"PERMISSION_DENIED" in content):
            return UpstreamError(f"{self.name} rejected the gateway's credentials; the operator must fix them")
        return super().error(status, content, retry_after)

    async def chat(self, body: dict[str, Any]) -> ChatReply:
        answer = await self.post_json(self._path(GENERATE, body), gemini_request_from_chat(body))
        if not isinstance(answer, dict):
            raise UpstreamError(f"{self.name} answered without a response object")
        completion = completion_from_gemini(answer, model=body["model"])
        return ChatReply(completion, Usage.from_openai(completion.get("usage")))

    async def stream(self, body: dict[str, Any]) -> TranslatedChatStream:
        response = await self.open_stream(self._path(STREAM, body), gemini_request_from_chat(body))
        translator = GeminiStreamToChunks(model=body["model"])
        return TranslatedChatStream(self.name, response, lambda e: translator.feed(e.json()), translator.finish,
                                    lambda: translator.usage)

    def _path(self, template: str, body: dict[str, Any]) -> UpstreamPath:
        return self.path(template, model=str(body["model"]).removeprefix("models/"))
