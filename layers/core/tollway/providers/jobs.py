"""The small protocol every job upstream (video, music, …) implements, and the HTTP plumbing they share.

    upstream = job_upstream("video", "openai")
    status = await upstream.submit(JobRequest(model="sora-2", params={"prompt": "a cat", "seconds": 4}))
    status = await upstream.poll(status.upstream_id)          # … until state != "running"
    content_type = await upstream.download(status.output, sink, max_bytes)

A synchronous upstream (ElevenLabs music) answers `submit` with the finished content itself.
Failures are domain errors, as for chat: UpstreamError/UpstreamTimeout/UpstreamRateLimited are
worth retrying, UpstreamRejected (the provider's 4xx) is the request's fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol

from tollway.config import settings
from tollway.errors import PayloadTooLarge, UpstreamError, UpstreamTimeout
from tollway.providers.upstream_errors import error_for_status

if TYPE_CHECKING:
    import httpx

JobState = Literal["running", "succeeded", "failed"]


@dataclass(frozen=True)
class JobRequest:
    model: str  # the gateway's model name; the adapter maps it to the upstream's
    params: dict[str, Any] = field(default_factory=dict)  # prompt, seconds, size, input, …


@dataclass(frozen=True)
class JobStatus:
    state: JobState
    upstream_id: str | None = None
    progress: int | None = None  # 0-100 where the upstream reports it
    output: dict[str, Any] | None = None  # where the finished output is (kept on the operation record)
    content: bytes | None = None  # a synchronous upstream's finished output itself
    content_type: str | None = None
    units: int | None = None  # billable units the upstream reports (seconds of video, …)
    message: str | None = None  # why it failed, safe to show the client
    code: str | None = None


class JobUpstream(Protocol):
    name: str

    def configured(self) -> bool: ...

    async def submit(self, request: JobRequest) -> JobStatus: ...

    async def poll(self, upstream_id: str) -> JobStatus: ...

    async def download(self, output: dict[str, Any], sink: IO[bytes], max_bytes: int) -> str: ...

    async def cancel(self, upstream_id: str) -> None: ...


def http_client(base_url: str, headers: dict[str, str], read_timeout_s: float | None = None) -> httpx.AsyncClient:
    """One client per job step: the worker runs each step in a fresh event loop."""
    import httpx  # lazy: the API functions import this module to validate, only the worker calls out

    s = settings()
    timeout = httpx.Timeout(read_timeout_s or s.upstream_read_timeout_s, connect=s.upstream_connect_timeout_s)
    return httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout, trust_env=False)


async def call_json(client: httpx.AsyncClient, provider: str, method: str, url: str, secret: str | None,
                    **kwargs: Any) -> Any:
    """One JSON request with the chat adapters' error mapping (credentials never reach a message)."""
    response = await send(client, provider, method, url, secret, **kwargs)
    try:
        return response.json()
    except ValueError as exc:
        raise UpstreamError(f"{provider} answered with invalid JSON") from exc


async def send(client: httpx.AsyncClient, provider: str, method: str, url: str, secret: str | None,
               **kwargs: Any) -> httpx.Response:
    import httpx

    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise UpstreamTimeout(f"{provider} did not answer in time") from exc
    except httpx.HTTPError as exc:
        raise UpstreamError(f"could not reach {provider}: {type(exc).__name__}") from exc
    if not 200 <= response.status_code < 300:
        raise error_for_status(provider, response.status_code, response.content,
                               response.headers.get("retry-after"), secret)
    return response


async def download_to(client: httpx.AsyncClient, provider: str, url: str, sink: IO[bytes], secret: str | None,
                      max_bytes: int, headers: dict[str, str] | None = None) -> str:
    """Stream `url` into `sink` (at most `max_bytes`); return the content type."""
    import httpx

    try:
        async with client.stream("GET", url, headers=headers, follow_redirects=True) as response:
            if response.status_code != 200:
                body = await response.aread()
                raise error_for_status(provider, response.status_code, body, response.headers.get("retry-after"),
                                       secret)
            written = 0
            async for chunk in response.aiter_bytes():
                written += len(chunk)
                if written > max_bytes:
                    raise PayloadTooLarge(f"{provider}'s output is larger than {max_bytes} bytes",
                                          code="result_too_large")
                sink.write(chunk)
            return str(response.headers.get("content-type", "application/octet-stream")).split(";")[0].strip()
    except httpx.TimeoutException as exc:
        raise UpstreamTimeout(f"{provider} stalled while sending the result") from exc
    except httpx.HTTPError as exc:
        raise UpstreamError(f"could not download the result from {provider}: {type(exc).__name__}") from exc
