"""The small protocol every job upstream (video, music, …) implements, and how a result is fetched.

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
from typing import IO, Any, Literal, Protocol

from tollway.errors import PayloadTooLarge
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.upstream_paths import UpstreamPath

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
    charge: int | None = None  # µc, for a job priced by what it used rather than units (a chat's tokens)
    message: str | None = None  # why it failed, safe to show the client
    code: str | None = None


class JobUpstream(Protocol):
    name: str

    def configured(self) -> bool: ...

    async def submit(self, request: JobRequest) -> JobStatus: ...

    async def poll(self, upstream_id: str) -> JobStatus: ...

    async def download(self, output: dict[str, Any], sink: IO[bytes], max_bytes: int) -> str: ...

    async def cancel(self, upstream_id: str) -> None: ...


async def download(http: UpstreamHTTP, url: UpstreamPath, sink: IO[bytes], max_bytes: int) -> str:
    """Stream a job's result (`url`: a path under the upstream, or an absolute URL it returned) into
    `sink`, at most `max_bytes`; return its content type. Failures are the upstream's domain errors."""
    response = await http.open("GET", url, follow_redirects=True)
    try:
        written = 0
        async for chunk in response.aiter_bytes():  # a broken download raises the upstream's domain error
            written += len(chunk)
            if written > max_bytes:
                raise PayloadTooLarge(f"{http.name}'s output is larger than {max_bytes} bytes", code="result_too_large")
            sink.write(chunk)
    finally:
        await response.aclose()
    return str(response.headers.get("content-type", "application/octet-stream")).split(";")[0].strip()
