"""ElevenLabs' music API on its own server: POST /v1/music?output_format=… with `xi-api-key`
answers with the track itself (audio/mpeg), synchronously, as the real one does.

    eleven = FakeElevenLabs().start()     # eleven.url is an ELEVENLABS_BASE_URL
    eleven.fail_status = 422              # the next composes are refused
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.jobs import fake_mp3
from tests.fakes.server import AppServer


class FakeElevenLabs(AppServer):
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.fail_status: int | None = None
        self.app = Starlette(routes=[Route("/v1/music", self._compose, methods=["POST"])])


    def reset(self) -> None:
        self.requests.clear()
        self.fail_status = None

    async def _compose(self, request: Request) -> Response:
        if request.headers.get("xi-api-key") != self.api_key:
            return JSONResponse({"detail": {"status": "invalid_api_key", "message": "Invalid API key"}},
                                status_code=401)
        body = await request.json()
        self.requests.append({"body": body, "query": dict(request.query_params)})
        if self.fail_status:
            return JSONResponse({"detail": {"status": "bad_prompt", "message": "The prompt was rejected"}},
                                status_code=self.fail_status)
        if not 3000 <= int(body.get("music_length_ms", 0)) <= 600_000:
            return JSONResponse({"detail": {"status": "invalid", "message": "music_length_ms out of range"}},
                                status_code=422)
        return Response(fake_mp3(f"{len(self.requests)}:{body['music_length_ms']}"), media_type="audio/mpeg")
