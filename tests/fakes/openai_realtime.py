"""OpenAI's realtime client-secret API for the fake OpenAI upstream: POST /v1/realtime/client_secrets
answers `{value, expires_at, session}` as OpenAI does, and refuses what OpenAI refuses (a TTL outside
10–7200 seconds, a session without a model)."""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

if TYPE_CHECKING:
    from tests.fakes.openai_upstream import FakeOpenAI


async def client_secret(fake: FakeOpenAI, request: Request) -> Response:
    body, behaviour = await fake._take(request)
    if behaviour.status != 200:
        return JSONResponse({"error": {"message": f"fake upstream failure {behaviour.status}", "type": "server_error",
                                       "code": None, "param": None}}, status_code=behaviour.status)
    from tests.fakes.media_upstreams import KEYS  # the key the media tests' gateways give OpenAI

    if request.headers.get("authorization") not in ("Bearer sk-upstream-secret-never-shown", f"Bearer {KEYS['openai']}"):
        return JSONResponse({"error": {"message": "bad key", "type": "invalid_request_error"}}, status_code=401)
    seconds = ((body or {}).get("expires_after") or {}).get("seconds", 600)
    session = (body or {}).get("session") or {}
    if not isinstance(seconds, int) or not 10 <= seconds <= 7200 or not session.get("model"):
        return JSONResponse({"error": {"message": "invalid session", "type": "invalid_request_error"}},
                            status_code=400)
    expires_at = int(time.time()) + seconds
    return JSONResponse({"value": "ek_" + secrets.token_hex(16), "expires_at": expires_at, "session": {
        "type": "realtime", "object": "realtime.session", "id": "sess_" + secrets.token_hex(8),
        "model": session["model"], "audio": {"output": {"voice": ((session.get("audio") or {}).get("output") or {})
                                                        .get("voice", "alloy")}}, "expires_at": 0}})
