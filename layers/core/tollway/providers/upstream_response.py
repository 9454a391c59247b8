"""An upstream's answer as adapters read it, and what a transport failure means for our client.

    response = await http.open("POST", "/chat/completions", json=body)   # 2xx, body unread
    async for line in response.aiter_lines(): ...      # SSE: one line at a time, as it arrives
    async for chunk in response.aiter_bytes(): ...     # audio, files
    await response.aclose()

The subset of httpx.Response the adapters use (`status_code`, `headers`, `content`, `aread`,
`aiter_bytes`, `aiter_lines`, `json`, `aclose`) over an aiohttp response. A transport failure while
the body is read (the connection broke, a read timed out) is raised as the domain error
`stream_failure` names, so an adapter never sees a client library's exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

from tollway.errors import TollwayError, UpstreamError, UpstreamTimeout
from tollway.wire.json_codec import loads

# What a broken or stalled connection raises (aiohttp's read timeouts are TimeoutErrors).
TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


class UpstreamResponse:
    def __init__(self, provider: str, response: aiohttp.ClientResponse) -> None:
        self.provider = provider
        self._response = response
        self._content: bytes | None = None

    @property
    def status_code(self) -> int:
        return self._response.status

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self._response.headers

    @property
    def content(self) -> bytes:
        if self._content is None:
            raise RuntimeError("the upstream answer has not been read (await aread() first)")
        return self._content

    async def aread(self) -> bytes:
        if self._content is None:
            try:
                self._content = await self._response.read()
            except TRANSPORT_ERRORS as exc:
                raise stream_failure(self.provider, exc) from exc
        return self._content

    def json(self) -> Any:
        """The body as JSON (a ValueError if it is not); read it first."""
        return loads(self.content)

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The body as it arrives (decompressed), in chunks of whatever size the network gave."""
        if self._content is not None:
            if self._content:
                yield self._content
            return
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except TRANSPORT_ERRORS as exc:
            raise stream_failure(self.provider, exc) from exc

    async def aiter_lines(self) -> AsyncIterator[str]:
        """The body's lines as UTF-8 text (invalid bytes replaced), without their ends. Lines end in
        LF, CRLF or CR, as an event stream's do, even when a CRLF is split across two chunks."""
        rest = b""
        async for chunk in self.aiter_bytes():
            data = rest + chunk if rest else chunk
            # A CR at the very end may be the first half of a CRLF: keep it until the next chunk.
            held = data.endswith(b"\r")
            if held:
                data = data[:-1]
            if b"\r" in data:
                data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            lines = data.split(b"\n")
            rest = lines.pop() + (b"\r" if held else b"")
            for line in lines:
                yield line.decode("utf-8", "replace")
        if rest:
            yield rest.removesuffix(b"\r").decode("utf-8", "replace")

    async def aclose(self) -> None:
        """Give the connection back (a fully read answer) or close it (one read only in part)."""
        response = self._response
        if response.content.is_eof() and not response.content.exception():
            response.release()
        else:
            response.close()


def stream_failure(provider: str, exc: BaseException) -> TollwayError:
    """An answer that broke after it started."""
    if isinstance(exc, asyncio.TimeoutError):
        return UpstreamTimeout(f"{provider} stalled mid-stream")
    return UpstreamError(f"{provider} stream broke: {type(exc).__name__}")
