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
secret); one pooled aiohttp session per event loop (upstream_session.py; Mangum and uvicorn keep one loop per
process; the operations worker runs each step in a loop of its own: a session is closed as its
loop shuts down and forgotten after); explicit connect and read timeouts; every failure mapped once
to a domain error, with credentials redacted from anything the provider said.

Why aiohttp: relaying is what a gateway does all day, and per request aiohttp costs a fraction of
httpx's CPU (bench/upstream_clients.py: about a seventh for JSON at 32 concurrent requests, a third
for SSE). URLs are still built and checked with httpx.URL, exactly as before, and the checked URL of
a target is remembered, so the hot path builds none.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
from yarl import URL

from tollway.config import secret
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
from tollway.providers.upstream_response import TRANSPORT_ERRORS, UpstreamResponse, stream_failure
from tollway.providers.upstream_session import UpstreamClient, env_proxy, open_client, timeouts
from tollway.wire.json_codec import dumps as _dumps

__all__ = ["HttpUpstream", "ResponseBytes", "UpstreamConfig", "UpstreamHTTP", "UpstreamResponse", "dumps",
           "stream_failure"]


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
        self._clients: dict[asyncio.AbstractEventLoop, UpstreamClient] = {}

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

    def client(self) -> UpstreamClient:
        loop = asyncio.get_running_loop()
        found = self._clients.get(loop)
        if found is None or found.is_closed:
            # Clients of loops that have ended (the worker's earlier steps) can serve nobody: forget them.
            for ended in [old for old in self._clients if old.is_closed()]:
                del self._clients[ended]
            key = self.api_key()
            found = open_client(self.base_url(), self.auth_headers(key) if key else {}, self.config.query)
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

    def url(self, base_url: str, path: UpstreamPath | str, params: dict[str, str] | None = None,
            query: tuple[tuple[str, str], ...] = ()) -> httpx.URL:
        """The URL a request to `path` goes to, refused before anything leaves if it is not under the
        base URL. Built as httpx builds a client's request: `path` joined under the base URL's path,
        `query` and then `params` merged into the target's own query."""
        return _checked_url(base_url, _target(path, self.name), query, _items(params), self._confined, self.name)[0]

    # -- calls ---------------------------------------------------------------------------------

    async def open(self, method: str, path: UpstreamPath | str, **kw: Any) -> UpstreamResponse:
        """A successful (2xx) answer whose body is still unread (the caller closes it). `path` is a
        constant path or one built by `path`/`returned_path`/`returned_url`. Takes httpx's keywords
        `json`, `content`, `data` and `files`, `params`, `headers`, `follow_redirects`, and `timeout`
        (the read timeout, in seconds)."""
        client = self.client()
        checked, url = _checked_url(client.base_url, _target(path, self.name), client.query,
                                    _items(kw.pop("params", None)), self._confined, self.name)
        options: dict[str, Any] = {"allow_redirects": bool(kw.pop("follow_redirects", False))}
        if "timeout" in kw:
            options["timeout"] = timeouts(float(kw.pop("timeout")))
        if client.proxied:
            options["proxy"] = env_proxy(str(checked))
        body, headers = _body(kw)
        try:
            response = await client.session.request(method, url, data=body, headers=headers, **options)
        except TRANSPORT_ERRORS as exc:
            if isinstance(exc, asyncio.TimeoutError):
                raise UpstreamTimeout(f"{self.name} did not answer in time") from exc
            raise UpstreamError(f"could not reach {self.name}: {type(exc).__name__}") from exc
        answer = UpstreamResponse(self.name, response)
        if 200 <= response.status < 300:
            return answer
        try:
            content = await answer.aread()
        except TollwayError:
            content = b""
        finally:
            await answer.aclose()
        raise self.error(response.status, content, response.headers.get("retry-after"))

    async def send(self, method: str, path: UpstreamPath | str, **kw: Any) -> UpstreamResponse:
        """The whole answer of a successful (2xx) call, or the domain error for a failed one."""
        response = await self.open(method, path, **kw)
        try:
            await response.aread()
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
                          headers: dict[str, str] | None = None) -> UpstreamResponse:
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

    def json(self, response: UpstreamResponse) -> dict[str, Any]:
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

    def __init__(self, provider: str, response: UpstreamResponse, content_type: str) -> None:
        self.provider = provider
        self.content_type = content_type
        self._response = response

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.aiter_bytes():  # a broken answer raises stream_failure's error
            if chunk:
                yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()


def dumps(body: dict[str, Any]) -> bytes:
    return _dumps(body)


def _json_headers(headers: dict[str, str] | None) -> dict[str, str]:
    return {"content-type": "application/json"} | (headers or {})


# -- request targets ----------------------------------------------------------------------------

def _target(path: UpstreamPath | str, provider: str) -> str:
    return path.target if isinstance(path, UpstreamPath) else _constant(path, provider)


@lru_cache(maxsize=256)
def _constant(path: str, provider: str) -> str:
    """A path an adapter wrote, checked once (a refusal raises, and is not remembered)."""
    return constant(path, provider).target


def _items(params: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(params.items()) if params else ()


@lru_cache(maxsize=1024)
def _checked_url(base_url: str, target: str, query: tuple[tuple[str, str], ...],
                 params: tuple[tuple[str, str], ...], confined: bool, provider: str) -> tuple[httpx.URL, URL]:
    """The URL httpx.AsyncClient(base_url=…, params=query).build_request(…, target, params=params)
    would send to (and the same URL for aiohttp, which re-encodes nothing of it), or the refusal of a
    URL that would leave the base URL. Remembered: a refusal raises, so only URLs that may be sent
    are kept, and most calls use a few constant paths."""
    base = httpx.URL(base_url)
    try:
        url = httpx.URL(target)
        if url.is_relative_url:
            url = base.copy_with(raw_path=base.raw_path + url.raw_path.lstrip(b"/"))
        if query or params:
            url = url.copy_merge_params(httpx.QueryParams(dict(query)).merge(dict(params)))
    except httpx.InvalidURL:
        raise unsafe_target(provider) from None
    if confined and not within_base(url, base):
        raise unsafe_target(provider)
    return url, URL(str(url), encoded=True)


def _body(kw: dict[str, Any]) -> tuple[bytes | None, dict[str, str] | None]:
    """The request body and headers from httpx's keywords (`json`, `content`, `data` + `files`).
    Forms are encoded by httpx itself, so multipart bodies are what they always were."""
    headers: dict[str, str] | None = kw.pop("headers", None)
    if "json" in kw:
        return dumps(kw.pop("json")), {"content-type": "application/json"} | (headers or {})
    if "data" in kw or "files" in kw:
        form = httpx.Request("POST", "http://form.invalid/", data=kw.pop("data", None), files=kw.pop("files", None))
        return form.read(), {"content-type": form.headers["content-type"]} | (headers or {})
    content = kw.pop("content", None)
    if kw:
        raise TypeError(f"unexpected upstream request keywords: {sorted(kw)}")
    return content, headers
