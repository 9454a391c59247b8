"""POST /infra/ai/realtime/sessions (and /v1/realtime/sessions): the request and the answer.

    request = validate(RealtimeSessionCreateParams, {"ttl_seconds": 120, "voice": "verse"})
    realtime_session(request_id, spec_id, voice, secret)   # {id, model, voice, expires_at, client_secret, url}
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MIN_TTL, MAX_TTL, DEFAULT_TTL = 30, 3_600, 600


class RealtimeSessionCreateParams(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    model: str | None = Field(default=None, min_length=1, max_length=256)  # None: the catalog's default
    ttl_seconds: int = Field(default=DEFAULT_TTL, ge=MIN_TTL, le=MAX_TTL)
    voice: str = Field(default="alloy", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


def realtime_session(session_id: str, model: str, voice: str, value: str, expires_at: int, url: str) -> dict[str, Any]:
    return {"id": session_id, "object": "realtime.session", "model": model, "voice": voice, "expires_at": expires_at,
            "client_secret": {"value": value, "expires_at": expires_at}, "url": url}
