"""Connection plumbing every HTTP adapter shares, so each provider module holds only its wire format.

    class GeminiProvider(HttpUpstream):
        def auth_headers(self, key): return {"x-goog-api-key": key}
        async def chat(self, body): reply = await self.post_json(path, gemini_body) ...

Configuration is read through `tollway.config.secret` (environment first, then the provider
secret); one pooled httpx client per event loop (Mangum and uvicorn each keep one loop per
process); explicit connect and read timeouts; every failure mapped once to a domain error, with
credentials redacted from anything the provider said.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx

from tollway.config import secret, settings
from tollway.errors import TollwayError, UpstreamError, UpstreamTimeout
from tollway.providers.upstream_errors import error_for_status


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


class HttpUpstream:
    def __init__(self, config: UpstreamConfig) -> None:
        self.name = config.name
        self.token_limit_param = config.token_limit_param
        self._config = config
        self._clients: dict[int, httpx.AsyncClient] = {}

    # -- configuration -------------------------------------------------------------------------

    def api_key(self) -> str | None:
        return secret(self._config.api_key_env) if self._config.api_key_env else None

    def _explicit_base_url(self) -> str | None:
        return secret(self._config.base_url_env) if self._config.base_url_env else None

    def base_url(self) -> str:
        return (self._explicit_base_url() or self._config.default_base_url or "").rstrip("/")

    def configured(self) -> bool:
        if self._config.base_url_env is None:  # declared upstream: its URL is given; a named key must exist
            return self._config.api_key_env is None or bool(self.api_key())
        # An explicit base URL alone is enough: self-hosted servers often need no key.
        return bool(self.api_key() or self._explicit_base_url())

    def auth_headers(self, key: str) -> dict[str, str]:
        auth = self._config.auth_header.lower()
        return {auth: f"Bearer {key}" if auth == "authorization" else key}

    def client(self) -> httpx.AsyncClient:
        loop_id = id(asyncio.get_running_loop())
        found = self._clients.get(loop_id)
        if found is None or found.is_closed:
            s = settings()
            headers = {"content-type": "application/json"}
            key = self.api_key()
            if key:
                headers |= self.auth_headers(key)
            found = httpx.AsyncClient(
                base_url=self.base_url(), params=dict(self._config.query), headers=headers,
                timeout=httpx.Timeout(s.upstream_read_timeout_s, connect=s.upstream_connect_timeout_s),
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=64))
            self._clients[loop_id] = found
        return found

    # -- calls ---------------------------------------------------------------------------------

    def error(self, status: int, content: bytes, retry_after: str | None) -> TollwayError:
        """What an upstream HTTP failure means for our client (adapters refine it for their API)."""
        return error_for_status(self.name, status, content, retry_after, self.api_key())

    async def post_json(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        try:
            response = await self.client().post(path, content=dumps(body), headers=headers)
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self.name} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"could not reach {self.name}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise self.error(response.status_code, response.content, response.headers.get("retry-after"))
        try:
            return response.json()
        except ValueError as exc:
            raise UpstreamError(f"{self.name} answered with invalid JSON") from exc

    async def open_stream(self, path: str, body: dict[str, Any],
                          headers: dict[str, str] | None = None) -> httpx.Response:
        """POST and return the response once its status is 200; its body is still unread."""
        client = self.client()
        request = client.build_request("POST", path, content=dumps(body), headers=headers)
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
            raise self.error(response.status_code, content, response.headers.get("retry-after"))
        return response


def dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def stream_failure(provider: str, exc: httpx.HTTPError) -> TollwayError:
    """A stream that broke after it started."""
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamTimeout(f"{provider} stalled mid-stream")
    return UpstreamError(f"{provider} stream broke: {type(exc).__name__}")
