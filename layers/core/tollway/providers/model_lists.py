"""A provider's own list of its models, through its chat adapter's client (its key, its base URL):

    models = await list_models("my-vllm")      # [SyncedModel("llama3", created=…, owned_by="vllm"), …]

OpenAI and every OpenAI-compatible API (Groq, DeepSeek, vLLM, Ollama…) answer `GET {base}/models`
as `{"object": "list", "data": [{"id", "created", "owned_by"}]}`; Anthropic `GET /v1/models` as
`{"data": [{"id", "created_at", "display_name"}], "has_more", "last_id"}` (paged with `after_id`);
Gemini `GET /v1beta/models` as `{"models": [{"name": "models/…"}], "nextPageToken"}`. Ids that could
not be put in an upstream path are left out, and at most MAX_SYNCED_MODELS are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tollway.catalog.provider_registry import MAX_SYNCED_MODELS, SyncedModel
from tollway.errors import InvalidRequest, UpstreamError
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.instances import instance
from tollway.providers.registry import _chat, provider_for
from tollway.upstream_ids import is_id

MAX_PAGES = 20


async def list_models(name: str) -> list[SyncedModel]:
    provider_for(name)  # 503 unless it is configured (its key's variable is set)
    http = _chat(name)
    if not isinstance(http, UpstreamHTTP):
        raise InvalidRequest(f"provider: {name!r} has no model list this gateway can read", param="provider")
    found = await _READERS.get(instance(name).type, _openai)(http)  # type: ignore[union-attr]
    unique = {m.id: m for m in found if is_id(m.id, namespaced=True)}
    return list(unique.values())[:MAX_SYNCED_MODELS]


async def _get(http: UpstreamHTTP, path: str, params: dict[str, str],
               headers: dict[str, str] | None = None) -> dict[str, Any]:
    return http.json(await http.send("GET", path, params=params, headers=headers or {}))


def _entries(body: dict[str, Any], field: str, name: str) -> list[dict[str, Any]]:
    entries = body.get(field)
    if not isinstance(entries, list):
        raise UpstreamError(f"{name} answered its model list in an unexpected shape")
    return [e for e in entries if isinstance(e, dict)]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def _openai(http: UpstreamHTTP) -> list[SyncedModel]:
    body = await _get(http, "/models", {})
    return [SyncedModel(str(e["id"]), _int(e.get("created")),
                        e.get("owned_by") if isinstance(e.get("owned_by"), str) else None)
            for e in _entries(body, "data", http.name) if isinstance(e.get("id"), str)]


async def _anthropic(http: UpstreamHTTP) -> list[SyncedModel]:
    found: list[SyncedModel] = []
    params = {"limit": "1000"}
    for _ in range(MAX_PAGES):
        body = await _get(http, "/v1/models", params, {"anthropic-version": "2023-06-01"})
        for e in _entries(body, "data", http.name):
            if isinstance(e.get("id"), str):
                found.append(SyncedModel(e["id"], _timestamp(e.get("created_at")), "anthropic"))
        if not body.get("has_more") or not isinstance(body.get("last_id"), str):
            break
        params = {"limit": "1000", "after_id": body["last_id"]}
    return found


async def _gemini(http: UpstreamHTTP) -> list[SyncedModel]:
    found: list[SyncedModel] = []
    params = {"pageSize": "1000"}
    for _ in range(MAX_PAGES):
        body = await _get(http, "/v1beta/models", params)
        for e in _entries(body, "models", http.name):
            name = e.get("name")
            if isinstance(name, str):
                found.append(SyncedModel(name.removeprefix("models/"), None, "google"))
        token = body.get("nextPageToken")
        if not isinstance(token, str) or not token:
            break
        params = {"pageSize": "1000", "pageToken": token}
    return found


def _timestamp(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


_READERS = {"anthropic": _anthropic, "gemini": _gemini}  # every other chat type speaks OpenAI's list
