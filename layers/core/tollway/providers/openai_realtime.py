"""OpenAI's realtime client secrets: a short-lived key a browser or phone uses to open one realtime
session with OpenAI directly, so the operator's key never leaves the gateway.

    secret = await OpenAIRealtime(instance("openai")).client_secret(RealtimeJob("gpt-realtime", "alloy", 600))
    secret.value, secret.expires_at, secret.url      # "ek_…", unix seconds, "wss://…/v1/realtime?model=…"

`POST {base}/realtime/client_secrets` with `{expires_after: {anchor: "created_at", seconds},
session: {type: "realtime", model, audio: {output: {voice}}}}` answers `{value, expires_at, session}`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tollway.errors import UpstreamError
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.instances import ProviderInstance
from tollway.providers.media_base import RealtimeJob, RealtimeSecret


class OpenAIRealtime:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name
        self.http = UpstreamHTTP(instance.upstream())

    def configured(self) -> bool:
        return self.http.configured()

    async def client_secret(self, job: RealtimeJob) -> RealtimeSecret:
        body = {"expires_after": {"anchor": "created_at", "seconds": job.ttl_seconds},
                "session": {"type": "realtime", "model": job.model, "audio": {"output": {"voice": job.voice}}}}
        minted = await self.http.post_json("/realtime/client_secrets", body)
        value, expires_at = _field(minted, "value"), _field(minted, "expires_at")
        if not isinstance(value, str) or not value or not isinstance(expires_at, int):
            raise UpstreamError(f"{self.name} answered without a client secret")
        session = minted.get("session") if isinstance(minted.get("session"), dict) else {}
        session_id = session.get("id") if isinstance(session.get("id"), str) else None
        # Clients connect where the gateway's OpenAI is, over WebSocket (WebRTC clients post to …/calls).
        url = self.http.base_url().replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        return RealtimeSecret(value, expires_at, session_id, f"{url}/realtime?model={quote(job.model, safe='')}")


def _field(answer: Any, name: str) -> Any:
    return answer.get(name) if isinstance(answer, dict) else None
