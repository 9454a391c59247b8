"""Connection plumbing every HTTP adapter shares, so each provider module holds only its wire format.

    config = UpstreamConfig.built_in("elevenlabs", "ELEVENLABS", "https://api.elevenlabs.io", auth_header="xi-api-key")
    http = UpstreamHTTP(config)
    http.configured()                                                    # a key or a base URL is set
    response = await http.send("POST", "/v1/sound-generation", json={"text": "rain"})   # 2xx, body read
    speech = http.path("/v1/text-to-speech/{voice}", voice=job.voice)  # 400 naming `voice` if unsafe
    stream = await http.open("POST", speech, json={...})                                 # 2xx, body unread

Text from a client or from an upstream's answer enters a URL only through `path` and
`returned_path` (see upstream_paths.py), and every request is checked to stay under the base URL
before it is sent.

Configuration is read through `tollway.config.secret` (environment first, then the provider
secret); one pooled httpx client per event loop (Mangum and uvicorn each keep one loop per
process; the operations worker runs each step in a loop of its own, and a client is forgotten
with its loop); explicit connect and read timeouts; every failure mapped once to a domain error, with
credentials redacted from anything the provider said.
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
from tollway.providers.upstream_paths import (
    UpstreamPath,
    client_value_refused,
    constant,
    fill,
    unsafe_target,
    within_base,
)


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
    def built_in(cls, name: str, prefix: str, default_base_url: str, *, key_variable: str = "API_KEY",
                 **kw: str) -> UpstreamConfig:
        """<PREFIX>_API_KEY and <PREFIX>_BASE_URL, like OPENAI_API_KEY / OPENAI_BASE_URL."""
        return cls(name, f"{prefix}_{key_variable}", f"{prefix}_BASE_URL", default_base_url, **kw)


class UpstreamHTTP:
    def __init__(self, config: UpstreamConfig, error_message: Callable[[Any], str | None] | None = None, *,
                 confined: bool = True) -> None:
        # Only a client that sends no credentials may be pointed outside its base URL (file delivery hosts).
        if not confined and config.api_key_env is not None:
            raise ValueError("an upstream client with credentials must stay under its base URL")
        self.name = config.name
        self.config = config
        self._confined = confined
        # Providers that do not answer errors as {"error": {"message": …}} say where their message is.
        self._error_message = error_message
        # Keyed by the loop itself (an id can be reused by the next loop); see client().
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    # -- configuration -------------------------------------------------------------------------

    def api_key(self) -> str | None:
        return secret(self.config.api_key_env) if self.config.api_key_env else None

    def _explicit_base_url(self) -> str | None:
        return secret(self.config.base_url_env) if self.config.base_url_env else None

    def base_url(self) -> str:
        return (self._explicit_base_url() or self.config.default_base_url or "").rstrip("/")

    def configured(self) -> bool:
        if self.config.base_url_env is None:  # declared upstream: its URL is given; a named key must exist
            return self.config.api_key_env is None or bool(self.api_key())
        # An explicit base URL alone is enough: self-hosted servers often need no key.
        return bool(self.api_key() or self._explicit_base_url())

    def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        found = self._clients.get(loop)
        if found is None or found.is_closed:
            # Clients of loops that have ended (the worker's earlier steps) can serve nobody: forget them.
            for ended in [old for old in self._clients if old.is_closed()]:
                del self._clients[ended]
            s = settings()
            key = self.api_key()
            headers = self.auth_headers(key) if key else {}
            found = httpx.AsyncClient(
                base_url=self.base_url(), params=dict(self.config.query), headers=headers,
                timeout=httpx.Timeout(s.upstream_read_timeout_s, connect=s.upstream_connect_timeout_s),
                limits=httpx.Limits(max_connections=256, max_keepalive_connections=64))
            self._clients[loop] = found
        return found

    def auth_headers(self, key: str) -> dict[str, str]:
        """How the key is sent (adapters with their own scheme override this)."""
        auth = self.config.auth_header.lower()
        return {auth: f"Bearer {key}" if auth == "authorization" else key}

    # -- request targets -----------------------------------------------------------------------

    def path(self, template: str, **values: str) -> UpstreamPath:
        """`template` filled with client values; an unsafe one is a 400 naming its placeholder."""
        return fill(template, values, client_value_refused)

    def returned_path(self, template: str, **values: str) -> UpstreamPath:
        """`template` filled with ids this upstream returned (a job id); an unsafe one is its fault."""
        return fill(template, values, lambda name, problem: UpstreamError(
            f"{self.name} answered a {name} that cannot be used in a URL"))

    def returned_url(self, url: str) -> UpstreamPath:
        """An absolute URL this upstream returned (a result file)."""
        if not url.startswith(("https://", "http://")):
            raise UpstreamError(f"{self.name} answered a result URL that is not http(s)")
        return UpstreamPath(url)

    def _request(self, client: httpx.AsyncClient, method: str, path: UpstreamPath | str,
                 **kw: Any) -> httpx.Request:
        """The request to send, refused before anything leaves if its URL is not under the base URL."""
        target = path if isinstance(path, UpstreamPath) else constant(path, self.name)
        try:
            request = client.build_request(method, target.target, **kw)
        except httpx.InvalidURL:
            raise unsafe_target(self.name) from None
        if self._confined and not within_base(request.url, client.base_url):
            raise unsafe_target(self.name)
        return request

    # -- calls ---------------------------------------------------------------------------------

    async def open(self, method: str, path: UpstreamPath | str, **kw: Any) -> httpx.Response:
        """A successful (2xx) answer whose body is still unread (the caller closes it). `path` is a
        constant path or one built by `path`/`returned_path`/`returned_url`."""
        client = self.client()
        follow = bool(kw.pop("follow_redirects", False))
        request = self._request(client, method, path, **kw)
        try:
            response = await client.send(request, stream=True, follow_redirects=follow)
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

    async def send(self, method: str, path: UpstreamPath | str, **kw: Any) -> httpx.Response:
        """The whole answer of a successful (2xx) call, or the domain error for a failed one."""
        response = await self.open(method, path, **kw)
        try:
            await response.aread()
        except httpx.HTTPError as exc:
            raise stream_failure(self.name, exc) from exc
        finally:
            await response.aclose()
        return response

    async def post_json(self, path: UpstreamPath | str, body: dict[str, Any],
                        headers: dict[str, str] | None = None) -> Any:
        response = await self.send("POST", path, content=dumps(body), headers=_json_headers(headers))
        try:
            return response.json()
        except ValueError as exc:
            raise UpstreamError(f"{self.name} answered with invalid JSON") from exc

    async def open_stream(self, path: UpstreamPath | str, body: dict[str, Any],
                          headers: dict[str, str] | None = None) -> httpx.Response:
        """POST JSON and return the answer once its status is 2xx; its body is still unread."""
        return await self.open("POST", path, content=dumps(body), headers=_json_headers(headers))

    def error(self, status: int, content: bytes, retry_after: str | None = None) -> TollwayError:
        """What an upstream HTTP failure means for our client."""
        if self._error_message is not None:
            try:
                message = self._error_message(json.loads(content))
            except (ValueError, UnicodeDecodeError, AttributeError, TypeError, KeyError, IndexError):
                message = None
            content = json.dumps({"error": {"message": message}}).encode() if message else b""
        return error_for_status(self.name, status, content, retry_after, self.api_key())

    def json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            parsed = response.json()
        except ValueError as exc:
            raise UpstreamError(f"{self.name} answered with invalid JSON") from exc
        if not isinstance(parsed, dict):
            raise UpstreamError(f"{self.name} answered with an unexpected JSON shape")
        return parsed


class HttpUpstream(UpstreamHTTP):
    """Base of the chat adapters: UpstreamHTTP plus the body field that caps completion tokens.

    Subclasses override `auth_headers` (how the key is sent) and `error` (to refine failures).
    """

    def __init__(self, config: UpstreamConfig) -> None:
        super().__init__(config)
        self.token_limit_param = config.token_limit_param


class ResponseBytes:
    """An open upstream answer relayed chunk by chunk (speech, sound: see media_base.AudioStream)."""

    def __init__(self, provider: str, response: httpx.Response, content_type: str) -> None:
        self.provider = provider
        self.content_type = content_type
        self._response = response

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_bytes():
                if chunk:
                    yield chunk
        except httpx.HTTPError as exc:
            raise stream_failure(self.provider, exc) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


def dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _json_headers(headers: dict[str, str] | None) -> dict[str, str]:
    return {"content-type": "application/json"} | (headers or {})


def stream_failure(provider: str, exc: httpx.HTTPError) -> TollwayError:
    """An answer that broke after it started."""
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamTimeout(f"{provider} stalled mid-stream")
    return UpstreamError(f"{provider} stream broke: {type(exc).__name__}")
