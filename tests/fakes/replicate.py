"""A Replicate-style predictions API on its own server, with the real wire format:
POST /v1/models/{owner}/{name}/predictions and POST /v1/predictions (with "version"),
GET /v1/predictions/{id} (starting → processing → succeeded | failed | canceled, output = file URLs),
POST /v1/predictions/{id}/cancel; the output files are served here too (GET /files/{id}, named with
host `localhost`, another origin than the API's 127.0.0.1, like replicate.delivery).

    replicate = FakeReplicate().start()      # replicate.base_url is a REPLICATE_BASE_URL
    replicate.book.script = JobScript(polls=3, fail="CUDA out of memory")
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.jobs import FakeJob, JobBook, fake_mp3, fake_mp4
from tests.fakes.server import AppServer


class FakeReplicate(AppServer):
    def __init__(self) -> None:
        self.book = JobBook("pred")
        self.file_requests: list[dict[str, str]] = []
        self.app = Starlette(routes=[
            Route("/v1/models/{owner}/{name}/predictions", self._create, methods=["POST"]),
            Route("/v1/predictions", self._create, methods=["POST"]),
            Route("/v1/predictions/{id}", self._get, methods=["GET"]),
            Route("/v1/predictions/{id}/cancel", self._cancel, methods=["POST"]),
            Route("/files/{id}", self._file, methods=["GET"]),
        ])


    def _prediction(self, job: FakeJob) -> dict[str, Any]:
        model = job.request.get("model") or f"version:{job.request.get('version')}"
        body: dict[str, Any] = {
            "id": job.id, "model": model, "version": job.request.get("version") or "", "input": job.request["input"],
            "logs": "", "output": None, "error": None, "status": "starting" if job.polls == 0 else "processing",
            "created_at": datetime.now(UTC).isoformat(), "data_removed": False,
            "urls": {"get": f"{self.base_url}/predictions/{job.id}",
                     "cancel": f"{self.base_url}/predictions/{job.id}/cancel"},
        }
        if job.cancelled:
            body |= {"status": "canceled"}
        elif job.finished and job.script.fail:
            body |= {"status": "failed", "error": job.script.fail}
        elif job.finished:
            # Served here, but named as another origin (as replicate.delivery is): no token may follow.
            files = self.url.replace("127.0.0.1", "localhost")
            body |= {"status": "succeeded", "output": [f"{files}/files/{job.id}"], "metrics": {"predict_time": 1.5}}
        return body

    async def _create(self, request: Request) -> Response:
        body = await request.json()
        if self.book.script.reject:
            return JSONResponse({"title": "Input validation failed", "detail": "prompt is required",
                                 "status": self.book.script.reject}, status_code=self.book.script.reject)
        params = request.path_params
        request_body = {"input": body.get("input") or {}, "version": body.get("version"),
                        "model": f"{params['owner']}/{params['name']}" if "owner" in params else None}
        job = self.book.new(request_body, dict(request.headers))
        return JSONResponse(self._prediction(job), status_code=201)

    async def _get(self, request: Request) -> Response:
        job, transient = self.book.poll(request.path_params["id"])
        if job is None:
            return JSONResponse({"detail": "Not found."}, status_code=404)
        if transient:
            return JSONResponse({"detail": "Internal server error"}, status_code=500)
        return JSONResponse(self._prediction(job))

    async def _cancel(self, request: Request) -> Response:
        job = self.book.jobs.get(request.path_params["id"])
        if job is None:
            return JSONResponse({"detail": "Not found."}, status_code=404)
        job.cancelled = True
        self.book.cancels.append(job.id)
        return JSONResponse(self._prediction(job))

    async def _file(self, request: Request) -> Response:
        job = self.book.jobs.get(request.path_params["id"])
        self.file_requests.append(dict(request.headers))
        if job is None or not job.finished:
            return Response(status_code=404)
        self.book.downloads += 1
        if "music" in str(job.request.get("model")):
            return Response(fake_mp3(job.id), media_type="audio/mpeg")
        return Response(fake_mp4(job.id), media_type="video/mp4")
