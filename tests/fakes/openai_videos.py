"""OpenAI's Videos API, for FakeOpenAI (`FakeOpenAI(extra_routes=videos.routes())`): the real wire
format — POST /v1/videos (multipart or JSON), GET /v1/videos/{id} (queued → in_progress with
progress → completed | failed), GET /v1/videos/{id}/content (the MP4).

    videos = FakeVideos()
    videos.book.script = JobScript(polls=3)      # completed on the third poll
    videos.book.creates                          # how many jobs the gateway submitted
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tests.fakes.jobs import FakeJob, JobBook, fake_mp4


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "code": None,
                                   "param": None}}, status_code=status)


class FakeVideos:
    def __init__(self) -> None:
        self.book = JobBook("video_")

    def routes(self) -> list[BaseRoute]:
        return [Route("/v1/videos", self._create, methods=["POST"]),
                Route("/v1/videos/{video_id}", self._retrieve, methods=["GET"]),
                Route("/v1/videos/{video_id}/content", self._content, methods=["GET"])]

    def _video(self, job: FakeJob) -> dict[str, Any]:
        status = "queued" if job.polls == 0 else "in_progress"
        body: dict[str, Any] = {"id": job.id, "object": "video", "model": job.request.get("model", "sora-2"),
                                "status": status, "progress": job.progress, "created_at": int(time.time()),
                                "seconds": str(job.request.get("seconds", "4")),
                                "size": job.request.get("size", "720x1280"), "completed_at": None, "error": None}
        if job.finished and job.script.fail:
            body |= {"status": "failed", "error": {"code": "moderation_blocked", "message": job.script.fail}}
        elif job.finished:
            body |= {"status": "completed", "progress": 100, "completed_at": int(time.time())}
        return body

    async def _create(self, request: Request) -> Response:
        if request.headers.get("content-type", "").startswith("multipart/"):
            form = await request.form()
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
        else:
            fields = await request.json()
        if self.book.script.reject:
            return _error(self.book.script.reject, "Your request was rejected by the safety system.")
        if not fields.get("prompt"):
            return _error(400, "Missing required parameter: 'prompt'.")
        return JSONResponse(self._video(self.book.new(fields, dict(request.headers))))

    async def _retrieve(self, request: Request) -> Response:
        job, transient = self.book.poll(request.path_params["video_id"])
        if job is None:
            return _error(404, "Video not found")
        if transient:
            return _error(500, "The server had an error while processing your request.")
        return JSONResponse(self._video(job))

    async def _content(self, request: Request) -> Response:
        job = self.book.jobs.get(request.path_params["video_id"])
        if job is None or not job.finished or job.script.fail:
            return _error(404, "Video is not ready")
        self.book.downloads += 1
        return Response(fake_mp4(job.id), media_type="video/mp4")
