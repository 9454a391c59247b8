"""The adapter for every upstream that speaks OpenAI's Chat Completions: OpenAI, Groq, DeepSeek,
and any server with the same API (vLLM, Ollama, LM Studio…).

Bodies pass through unchanged except for what the gateway must control: the token limit is made
explicit (so the reservation bounds the cost) and streams always ask for the final usage chunk (so
the charge is exact).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from tollway.config import secret, settings
from tollway.errors import UpstreamError, UpstreamTimeout
from tollway.providers.base import ChatReply, StreamEvent, Usage
from tollway.providers.upstream_errors import error_for_status
from tollway.wire.sse import data_lines


@dataclass(frozen=True)
class UpstreamConfig:
    name: str
    api_key_env: str | None  # where the key is read (environment first, then the provider secret)
    base_url_env: str | None  # where an override of the base URL is read
    default_base_url: str | None
    # OpenAI's reasoning models refuse `max_tokens`; every OpenAI model takes the newer name.
    token_limit_param: str = "max_tokens"
    auth_header: str = "authorization"  # Bearer <key>; any other header carries the bare key (Azure: api-key)
    query: tuple[tuple[str, str], ...] = ()  # added to every request (Azure's api-version)

    @classmethod
    def built_in(cls, name: str, prefix: str, default_base_url: str, **kw: str) -> UpstreamConfig:
        """<PREFIX>_API_KEY and <PREFIX>_BASE_URL, like OPENAI_API_KEY / OPENAI_BASE_URL."""
        return cls(name, f"{prefix}_API_KEY", f"{prefix}_BASE_URL", default_base_url, **kw)


class OpenAICompatibleProvider:
    def __init__(self, config: UpstreamConfig) -> None:
        self.name = config.name
        self.token_limit_param = config.token_limit_param
        self._config = config
        # One pooled client per event loop: Mangum and uvicorn each keep one loop per process.
        self._clients: dict[int, httpx.AsyncClient] = {}

    # -- configuration -------------------------------------------------------------------------

    def _api_key(self) -> str | None:
        return secret(self._config.api_key_env) if self._config.api_key_env else None

    def _explicit_base_url(self) -> str | None:
        return secret(self._config.base_url_env) if self._config.base_url_env else None

    def _base_url(self) -> str:
        return (self._explicit_base_url() or self._config.default_base_url or "").rstrip("/")

    def configured(self) -> bool:
        if self._config.base_url_env is None:  # declared upstream: its URL is given; a named key must exist
            return self._config.api_key_env is None or bool(self._api_key())
        # An explicit base URL alone is enough: self-hosted servers often need no key.
        return bool(self._api_key() or self._explicit_base_url())

    def _client(self) -> httpx.AsyncClient:
        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None or client.is_closed:
            s = settings()
            headers = {"content-type": "application/json"}
            key = self._api_key()
            if key:
                auth = self._config.auth_header.lower()
                headers[auth] = f"Bearer {key}" if auth == "authorization" else key
            client = httpx.AsyncClient(
                base_url=self._base_url(),
                params=dict(self._config.query),
                headers=headers,
                timeout=httpx.Timeout(s.upstream_read_timeout_s, connect=s.upstream_connect_timeout_s),
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
            )
            self._clients[loop_id] = client
        return client

    # -- chat ----------------------------------------------------------------------------------

    async def chat(self, body: dict[str, Any]) -> ChatReply:
        try:
            response = await self._client().post("/chat/completions", content=_dumps(body))
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self.name} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"could not reach {self.name}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise error_for_status(self.name, response.status_code, response.content,
                                   response.headers.get("retry-after"), self._api_key())
        try:
            parsed = response.json()
        except ValueError as exc:
            raise UpstreamError(f"{self.name} answered with invalid JSON") from exc
        if not isinstance(parsed, dict) or "choices" not in parsed:
            raise UpstreamError(f"{self.name} answered without choices")
        return ChatReply(parsed, Usage.from_openai(parsed.get("usage")))

    async def stream(self, body: dict[str, Any]) -> _OpenAIStream:
        body = {**body, "stream": True, "stream_options": {**(body.get("stream_options") or {}),
                                                            "include_usage": True}}
        client = self._client()
        request = client.build_request("POST", "/chat/completions", content=_dumps(body))
        try:
            response = await client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self.name} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"could not reach {self.name}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            try:
                content = await response.aread()
            except httpx.HTTPError:
                content = b""
            finally:
                await response.aclose()
            raise error_for_status(self.name, response.status_code, content,
                                   response.headers.get("retry-after"), self._api_key())
        return _OpenAIStream(self.name, response)


class _OpenAIStream:
    def __init__(self, provider: str, response: httpx.Response) -> None:
        self._provider = provider
        self._response = response

    async def events(self) -> AsyncIterator[StreamEvent]:
        try:
            async for data in data_lines(self._response.aiter_lines()):
                try:
                    chunk = json.loads(data)
                except ValueError as exc:
                    raise UpstreamError(f"{self._provider} sent an invalid stream event") from exc
                if isinstance(chunk, dict) and "error" in chunk and "choices" not in chunk:
                    raise UpstreamError(f"{self._provider} failed mid-stream")
                yield StreamEvent(data, chunk)
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self._provider} stalled mid-stream") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"{self._provider} stream broke: {type(exc).__name__}") from exc

    async def aclose(self) -> None:
        await self._response.aclose()


def _dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
