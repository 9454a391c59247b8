"""ElevenLabs music: one synchronous call that answers with the audio.

    POST /v1/music?output_format=mp3_44100_128   {"prompt", "music_length_ms", "model_id", …} → audio/mpeg

The API has no job to poll, so `submit` returns the finished track and the worker stores it in the
same step. ELEVENLABS_API_KEY (sent as `xi-api-key`) and ELEVENLABS_BASE_URL (default
https://api.elevenlabs.io, without `/v1`).
"""

from __future__ import annotations

from typing import IO, Any

from tollway.errors import UpstreamError
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.instances import ProviderInstance
from tollway.providers.jobs import JobRequest, JobStatus

OUTPUT_FORMAT = "mp3_44100_128"
# A long track takes a while to compose; the worker function's timeout (300 s) is the real bound.
COMPOSE_TIMEOUT_S = 270.0


class ElevenLabsMusic:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name
        self.http = UpstreamHTTP(instance.upstream(auth_header="xi-api-key"))

    def configured(self) -> bool:
        return self.http.configured()

    async def submit(self, request: JobRequest) -> JobStatus:
        seconds = int(request.params["seconds"])
        body: dict[str, Any] = {"prompt": request.params["prompt"], "music_length_ms": seconds * 1000,
                                "model_id": request.model}
        if request.params.get("force_instrumental") is not None:
            body["force_instrumental"] = bool(request.params["force_instrumental"])
        response = await self.http.send("POST", "/v1/music", params={"output_format": OUTPUT_FORMAT}, json=body,
                                        timeout=COMPOSE_TIMEOUT_S)
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        if not content_type.startswith("audio/") or not response.content:
            raise UpstreamError("elevenlabs answered without audio")
        return JobStatus("succeeded", progress=100, content=response.content, content_type=content_type,
                         units=seconds)

    async def poll(self, upstream_id: str) -> JobStatus:
        raise UpstreamError("elevenlabs music has no job to poll")

    async def download(self, output: dict[str, Any], sink: IO[bytes], max_bytes: int) -> str:
        raise UpstreamError("elevenlabs music has no job to download")

    async def cancel(self, upstream_id: str) -> None:
        return None
