"""Named webhook endpoints a key registers once and names by topic on any async request.

    register(key_id, "renders", "https://hooks.example.com/tollway")  # checked by the SSRF guard first
    url_for(key_id, "renders")        # the URL; NotFound-free: None for a topic the key has not registered
    topics(key_id)                    # [{"topic", "url", "created_at"}, …]

Each topic is one small JSON object under the key's own prefix (`keys/<key id>/webhooks/<topic>.json`,
storage/objects.py), so another key can neither read nor overwrite it. A request names the topic
and the operation keeps the URL the topic had then: changing a topic later redirects new requests,
not ones already running. Deliveries are signed with the key's webhook secret, as for `webhook_url`.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tollway.errors import InvalidRequest, NotFound
from tollway.storage import objects

TOPIC = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_TOPICS = 50
_MAX_OBJECT = 16 * 1024


def check_topic(value: Any, *, param: str) -> str:
    if not isinstance(value, str) or TOPIC.fullmatch(value) is None:
        raise InvalidRequest(f"{param}: a topic is 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                             "letter or digit", code="invalid_value", param=param)
    return value


def _prefix(key_id: str) -> str:
    return objects.webhook_topic_key(key_id, "")[: -len(".json")]


def register(key_id: str, topic: str, url: str) -> dict[str, Any]:
    path = objects.webhook_topic_key(key_id, topic)
    existing = objects.list_keys(_prefix(key_id), MAX_TOPICS + 1)
    if path not in existing and len(existing) >= MAX_TOPICS:
        raise InvalidRequest(f"topic: a key may register at most {MAX_TOPICS} webhook topics; delete one first",
                             code="too_many_webhook_topics", param="topic")
    entry = {"object": "webhook", "topic": topic, "url": url, "created_at": int(time.time())}
    objects.put_object(path, json.dumps(entry).encode(), "application/json")
    return entry


def _read(path: str) -> dict[str, Any] | None:
    found = objects.get_object_bounded(path, _MAX_OBJECT)
    return json.loads(found[0]) if found is not None else None  # type: ignore[no-any-return]


def url_for(key_id: str, topic: str) -> str | None:
    entry = _read(objects.webhook_topic_key(key_id, topic))
    return entry["url"] if entry is not None else None


def topics(key_id: str) -> list[dict[str, Any]]:
    return [entry for path in objects.list_keys(_prefix(key_id), MAX_TOPICS + 1) if (entry := _read(path))]


def delete(key_id: str, topic: str) -> None:
    path = objects.webhook_topic_key(key_id, topic)
    if _read(path) is None:
        raise NotFound(f"No webhook topic {topic!r}", code="webhook_topic_not_found", param="topic")
    objects.delete_object(path)
