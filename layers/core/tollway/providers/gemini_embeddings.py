"""Gemini text embeddings (`text-embedding-004`, `gemini-embedding-*`) behind OpenAI's embeddings API.

    provider = GeminiEmbeddings(instance("gemini"))   # GEMINI_API_KEY, GEMINI_BASE_URL (default …/v1beta)
    result = await provider.embed({"model": "text-embedding-004", "input": ["a", "b"], "dimensions": 256})

One string → `POST /models/{model}:embedContent`; a list → `:batchEmbedContents`, one request per
string. `dimensions` becomes `outputDimensionality`; `encoding_format: base64` is produced here
(little-endian float32, as OpenAI sends it). Gemini reports no token count, so the gateway charges
its own estimate (result.prompt_tokens is None).
"""

from __future__ import annotations

from typing import Any

from tollway.errors import InvalidRequest, UpstreamError
from tollway.providers.media_base import EmbeddingResult
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.instances import ProviderInstance
from tollway.providers.upstream_paths import UpstreamPath
from tollway.wire.openai_embeddings import embedding_list

class GeminiEmbeddings:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name
        # The API is under /v1beta of Google's host; an operator's GEMINI_BASE_URL names the whole base.
        self.http = UpstreamHTTP(instance.upstream(auth_header="x-goog-api-key", path="/v1beta"))

    def configured(self) -> bool:
        return self.http.configured()

    async def embed(self, body: dict[str, Any]) -> EmbeddingResult:
        model, raw = body["model"], body["input"]
        texts = [raw] if isinstance(raw, str) else raw
        if not all(isinstance(text, str) for text in texts):
            raise InvalidRequest("input: Gemini embeds text; send strings, not token arrays",
                                 code="invalid_value", param="input")
        if isinstance(raw, str):
            parsed = await self._post(self.http.path("/models/{model}:embedContent", model=model),
                                      self._request(model, raw, body))
            vectors = [parsed.get("embedding")]
        else:
            requests = [self._request(model, text, body) for text in texts]
            parsed = await self._post(self.http.path("/models/{model}:batchEmbedContents", model=model),
                                      {"requests": requests})
            vectors = parsed.get("embeddings") or []
        values = [v.get("values") if isinstance(v, dict) else None for v in vectors]
        if len(values) != len(texts) or not all(isinstance(v, list) for v in values):
            raise UpstreamError(f"{self.name} answered without one embedding per input")
        return EmbeddingResult(embedding_list(values, model, body.get("encoding_format", "float")),  # type: ignore[arg-type]
                               None)

    @staticmethod
    def _request(model: str, text: str, body: dict[str, Any]) -> dict[str, Any]:
        request: dict[str, Any] = {"model": f"models/{model}", "content": {"parts": [{"text": text}]}}
        if body.get("dimensions"):
            request["outputDimensionality"] = body["dimensions"]
        return request

    async def _post(self, path: UpstreamPath, payload: dict[str, Any]) -> dict[str, Any]:
        return self.http.json(await self.http.send("POST", path, json=payload))
