"""One event loop's connection pool to an upstream: an aiohttp session with the gateway's limits,
timeouts, certificates and proxy settings, closed when its loop shuts down.

    client = open_client("https://api.openai.com/v1", {"authorization": "Bearer sk-…"}, query=())
    response = await client.session.request("POST", url, data=body, timeout=timeouts(270.0))

Made by UpstreamHTTP.client() for each loop that calls an upstream (see http_upstream.py).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from functools import lru_cache

import aiohttp
import httpx

from tollway.config import settings


@dataclass
class UpstreamClient:
    """One event loop's connection pool to an upstream, and what every request through it shares."""

    session: aiohttp.ClientSession
    base_url: str  # as httpx reads a client's base URL: with a trailing slash
    query: tuple[tuple[str, str], ...]
    proxied: bool  # HTTP(S)_PROXY or ALL_PROXY is set: each request asks which proxy, if any, applies
    _closer: AsyncGenerator[None, None] | None = field(default=None, repr=False)

    @property
    def is_closed(self) -> bool:
        return self.session.closed


def open_client(base_url: str, headers: dict[str, str], query: tuple[tuple[str, str], ...]) -> UpstreamClient:
    s = settings()
    connector = aiohttp.TCPConnector(limit=256, limit_per_host=0, keepalive_timeout=5.0, ssl=_ssl_context())
    # No cookie jar: what one client's call made an upstream set must not ride along on another's.
    session = aiohttp.ClientSession(connector=connector, headers=headers, cookie_jar=aiohttp.DummyCookieJar(),
                                    timeout=timeouts(s.upstream_read_timeout_s), max_line_size=16384,
                                    max_field_size=16384)
    base = str(_enforce_trailing_slash(httpx.URL(base_url)))
    return UpstreamClient(session, base, query, bool(_proxies()), _close_with_loop(session))


def timeouts(read_s: float) -> aiohttp.ClientTimeout:
    """As httpx.Timeout(read_s, connect=…) was: each read and the wait for a pooled connection are
    bounded by the read timeout, opening a connection by the connect timeout; the whole call only by
    the caller's deadline."""
    return aiohttp.ClientTimeout(total=None, connect=read_s, sock_read=read_s,
                                 sock_connect=settings().upstream_connect_timeout_s)


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """Certificates as httpx verified them: certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR."""
    import certifi

    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile and os.path.isfile(cafile):
        return ssl.create_default_context(cafile=cafile)
    if capath and os.path.isdir(capath):
        return ssl.create_default_context(capath=capath)
    return ssl.create_default_context(cafile=certifi.where())


def _proxies() -> dict[str, str]:
    from urllib.request import getproxies

    return getproxies()


def env_proxy(url: str) -> str | None:
    """The proxy HTTP(S)_PROXY / ALL_PROXY name for `url`, unless NO_PROXY exempts it (httpx honoured
    them too); asked only when one is set."""
    from urllib.request import proxy_bypass

    parsed = httpx.URL(url)
    proxies = _proxies()
    proxy = proxies.get(parsed.scheme) or proxies.get("all")
    if not proxy or proxy_bypass(parsed.host):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _close_with_loop(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    """An async generator, started and suspended, that closes `session` when the running loop shuts
    down: asyncio.run (the operations worker's steps, uvicorn) closes every live async generator of
    its loop (`shutdown_asyncgens`) while the loop still runs, so the session's connections are
    closed there and nothing warns about an unclosed session later."""

    async def closer() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            await session.close()

    generator = closer()
    step = generator.asend(None)  # the first step registers it with the running loop (firstiter hook)
    try:
        step.send(None)  # runs to its `yield` at once: there is nothing to await before it
    except StopIteration:
        pass
    return generator


def _enforce_trailing_slash(url: httpx.URL) -> httpx.URL:
    return url if url.raw_path.endswith(b"/") else url.copy_with(raw_path=url.raw_path + b"/")
