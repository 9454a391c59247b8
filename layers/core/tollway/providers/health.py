"""A deep check of every configured provider, for the operator (`GET /admin/health/providers`).

    report = await check_providers()      # [{"provider": "openai", "ok": True, "latency_ms": 41.2, "status": 200}, ...]

Each provider gets one cheap authenticated call of its public API — its model list, which costs no
credits — sent by its own adapter's client (its credentials, its base URL, and nothing outside it),
all at once, each bounded by `TIMEOUT_S`. A failure says what the gateway's clients would be told
(the domain error's code and message, credentials redacted as in every upstream error); the key
never appears. Providers whose API has no free call to check with are listed as not checked.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tollway.config import secret
from tollway.errors import TollwayError
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.registry import _chat, _media, configured_providers
from tollway.providers.upstream_paths import UpstreamPath

TIMEOUT_S = 5.0
# Where each provider lists its models, under its base URL (OpenAI-compatible servers: `/models`).
LIST_MODELS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {  # path, query, headers
    "anthropic": ("/v1/models", {"limit": "1"}, {"anthropic-version": "2023-06-01"}),
    "gemini": ("/v1beta/models", {"pageSize": "1"}, {}),
    "elevenlabs": ("/v1/models", {}, {}),
}
NOT_CHECKED = {"cohere", "jina", "voyage"}  # rerank APIs: every call is billed


def _client(name: str) -> UpstreamHTTP | None:
    chat = _chat(name)
    if isinstance(chat, UpstreamHTTP):
        return chat
    for adapter in _media(name):
        http = getattr(adapter, "http", None)
        if isinstance(http, UpstreamHTTP):
            return http
    return None


def _target(http: UpstreamHTTP, name: str) -> tuple[UpstreamPath | str, dict[str, str], dict[str, str]]:
    if name == "workers_ai":
        return (http.path("/accounts/{account}/ai/models/search", account=str(secret("CF_ACCOUNT_ID"))),
                {"per_page": "1"}, {})
    return LIST_MODELS.get(name, ("/models", {}, {}))


async def _check(name: str) -> dict[str, Any]:
    if name == "local":
        return {"provider": name, "ok": True, "latency_ms": 0.0, "detail": "in-process (local/echo)"}
    if name in NOT_CHECKED:
        return {"provider": name, "ok": None, "detail": "not checked: its API has no call that is free"}
    http = _client(name)
    if http is None:
        return {"provider": name, "ok": None, "detail": "not checked: no HTTP adapter"}
    started = time.perf_counter()
    try:
        path, query, headers = _target(http, name)
        response = await asyncio.wait_for(http.send("GET", path, params=query, headers=headers), TIMEOUT_S)
    except TimeoutError:
        return {"provider": name, "ok": False, "latency_ms": _ms(started),
                "error": {"code": "upstream_timeout", "message": f"{name} did not answer within {TIMEOUT_S:g} s"}}
    except TollwayError as exc:
        return {"provider": name, "ok": False, "latency_ms": _ms(started),
                "error": {"code": exc.code, "message": exc.message}}
    return {"provider": name, "ok": True, "latency_ms": _ms(started), "status": response.status_code}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


async def check_providers() -> list[dict[str, Any]]:
    names = sorted(configured_providers() - {"auto"})
    return list(await asyncio.gather(*(_check(name) for name in names)))
