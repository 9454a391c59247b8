"""OpenAI's Videos API (Sora): create a render job, poll it, download the MP4.

    POST /videos               multipart: model, prompt, seconds, size → {"id", "status": "queued", …}
    GET  /videos/{id}          status queued | in_progress | completed | failed, progress 0-100
    GET  /videos/{id}/content  the MP4 (variant=video)

OPENAI_API_KEY and OPENAI_BASE_URL are the chat adapter's; the API has no cancel, so a cancelled
operation stops being polled (and charged) but the upstream job runs to its end.
"""

from __future__ import annotations

from typing import IO, Any

from tollway.errors import UpstreamError
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.instances import ProviderInstance
from tollway.providers.jobs import JobRequest, JobStatus, download
from tollway.providers.redaction import clipped

class OpenAIVideos:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name
        self.http = UpstreamHTTP(instance.upstream())

    def configured(self) -> bool:
        return self.http.configured()

    async def submit(self, request: JobRequest) -> JobStatus:
        fields = {"model": request.model, "prompt": request.params["prompt"],
                  "seconds": str(request.params.get("seconds") or 4)}
        if request.params.get("size"):
            fields["size"] = str(request.params["size"])
        # Multipart, as the OpenAI SDK sends it (the endpoint also takes reference images).
        return _status(self.http.json(await self.http.send("POST", "/videos",
                                                           files={k: (None, v) for k, v in fields.items()})))

    async def poll(self, upstream_id: str) -> JobStatus:
        path = self.http.returned_path("/videos/{id}", id=upstream_id)
        return _status(self.http.json(await self.http.send("GET", path)))

    async def download(self, output: dict[str, Any], sink: IO[bytes], max_bytes: int) -> str:
        path = self.http.returned_path("/videos/{id}/content?variant=video", id=str(output["video_id"]))
        return await download(self.http, path, sink, max_bytes)

    async def cancel(self, upstream_id: str) -> None:
        return None


def _status(video: Any) -> JobStatus:
    if not isinstance(video, dict) or not isinstance(video.get("id"), str):
        raise UpstreamError("openai answered without a video id")
    status, progress = video.get("status"), video.get("progress")
    progress = int(progress) if isinstance(progress, int | float) else None
    if status == "completed":
        return JobStatus("succeeded", upstream_id=video["id"], progress=100, output={"video_id": video["id"]},
                         units=_seconds(video.get("seconds")))
    if status == "failed":
        error = video["error"] if isinstance(video.get("error"), dict) else {}
        return JobStatus("failed", upstream_id=video["id"], code=str(error.get("code") or "generation_failed"),
                         message="openai: " + clipped(str(error.get("message") or "the video could not be generated")))
    if status in ("queued", "in_progress"):
        return JobStatus("running", upstream_id=video["id"], progress=progress)
    raise UpstreamError(f"openai answered with an unknown video status {clipped(str(status), limit=40)!r}")


def _seconds(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
