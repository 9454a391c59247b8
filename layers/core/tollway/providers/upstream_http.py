"""One upstream's HTTP plumbing for the media adapters: a pooled client per event loop, explicit
timeouts, and every failure mapped to a domain error (with credentials redacted) in one place.

    http = UpstreamHTTP("elevenlabs", UpstreamEnv("ELEVENLABS", "https://api.elevenlabs.io", key_header="xi-api-key"))
    http.env.configured()                                                              # key or base URL set?
    response = await http.send("POST", "/v1/sound-generation", json={"text": "rain"})   # status 200, body read
    stream = await http.open("POST", "/v1/text-to-speech/abc", json={...})             # status 200, body unread
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tollway.config import secret, settings
from tollway.errors import TollwayError, UpstreamError, UpstreamTimeout
from tollway.providers.upstream_errors import error_for_status

# Media answers are bounded: a Lambda response cannot exceed this anyway (streamed: 20 MB).
MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class UpstreamEnv:
    """Where an upstream's settings live: <PREFIX>_API_KEY (or _API_TOKEN…) and <PREFIX>_BASE_URL,
    read through config.secret() (the environment, then the Secrets Manager secret)."""

    prefix: str
    default_base_url: str
    key_header: str = "authorization"  # sent as "Bearer <key>"; any other header carries the bare key
    key_variable: str = "API_KEY"

    def api_key(self) -> str | None:
        return secret(f"{self.prefix}_{self.key_variable}")

    def explicit_base_url(self) -> str | None:
        return secret(f"{self.prefix}_BASE_URL")

    def base_url(self) -> str:
        return (self.explicit_base_url() or self.default_base_url).rstrip("/")

    def headers(self) -> dict[str, str]:
        key = self.api_key()
        if not key:
            return {}
        return {self.key_header: f"Bearer {key}" if self.key_header == "authorization" else key}

    def configured(self) -> bool:
        # An explicit base URL alone is enough: self-hosted servers often need no key.
        return bool(self.api_key() or self.explicit_base_url())


class UpstreamHTTP:
    def __init__(self, name: str, env: UpstreamEnv,
                 error_message: Callable[[Any], str | None] | None = None) -> None:
        self.name = name
        self.env = env
        # Providers that do not answer errors as {"error": {"message": …}} say where their message is.
        self._error_message = error_message
        self._clients: dict[int, httpx.AsyncClient] = {}

    def client(self) -> httpx.AsyncClient:
        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None or client.is_closed:
            s = settings()
            client = httpx.AsyncClient(
                base_url=self.env.base_url(), headers=self.env.headers(),
                timeout=httpx.Timeout(s.upstream_read_timeout_s, connect=s.upstream_connect_timeout_s),
                limits=httpx.Limits(max_connections=128, max_keepalive_connections=32))
            self._clients[loop_id] = client
        return client

    async def send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """The whole answer of a successful (2xx) call, or the domain error for a failed one."""
        response = await self.open(method, path, **kw)
        try:
            await response.aread()
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self.name} stalled while answering") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"{self.name} broke off its answer: {type(exc).__name__}") from exc
        finally:
            await response.aclose()
        return response

    async def open(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """A successful answer whose body is still unread (the caller closes it)."""
        client = self.client()
        try:
            response = await client.send(client.build_request(method, path, **kw), stream=True)
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self.name} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"could not reach {self.name}: {type(exc).__name__}") from exc
        if 200 <= response.status_code < 300:
            return response
        try:
            content = await response.aread()
        except httpx.HTTPError:
            content = b""
        finally:
            await response.aclose()
        raise self.error(response.status_code, content, response.headers.get("retry-after"))

    def error(self, status: int, content: bytes, retry_after: str | None = None) -> TollwayError:
        if self._error_message is not None:
            try:
                message = self._error_message(json.loads(content))
            except (ValueError, UnicodeDecodeError, AttributeError, TypeError, KeyError, IndexError):
                message = None
            content = json.dumps({"error": {"message": message}}).encode() if message else b""
        return error_for_status(self.name, status, content, retry_after, self.env.api_key())

    def json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            parsed = response.json()
        except ValueError as exc:
            raise UpstreamError(f"{self.name} answered with invalid JSON") from exc
        if not isinstance(parsed, dict):
            raise UpstreamError(f"{self.name} answered with an unexpected JSON shape")
        return parsed


class ResponseAudio:
    """An open upstream audio answer, relayed chunk by chunk (see media_base.AudioStream)."""

    def __init__(self, provider: str, response: httpx.Response, content_type: str) -> None:
        self.provider = provider
        self.content_type = content_type
        self._response = response

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_bytes():
                if chunk:
                    yield chunk
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self.provider} stalled mid-stream") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"{self.provider} stream broke: {type(exc).__name__}") from exc

    async def aclose(self) -> None:
        await self._response.aclose()
