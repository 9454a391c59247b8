"""Named webhook endpoints: POST /v1/webhooks {topic, url}, GET /v1/webhooks, DELETE /v1/webhooks/{topic}.

    reply = await register_webhook(caller, {"topic": "renders", "url": "https://hooks.example.com/t"})
    # then any async request may say {"webhook_topic": "renders"} instead of a webhook_url

Registering (and deleting) needs scope ai:generate, listing ai:read. The URL passes the same SSRF
guard as a webhook_url (operations/destination.py) when it is registered, and again when it is
called. Registering a topic again replaces its URL.
"""

from __future__ import annotations

from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.endpoints.reply import Reply
from tollway.errors import DestinationRefused, InvalidRequest
from tollway.operations import lifecycle, webhook_topics
from tollway.wire.operations import WebhookTopicRequest
from tollway.wire.validation import validate


async def register_webhook(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(WebhookTopicRequest, raw)
    topic, url = request.topic, request.url
    try:
        await lifecycle.check_webhook(caller, url)
    except DestinationRefused as exc:  # the guard speaks of webhook_url: here the field is `url`
        raise InvalidRequest("url" + exc.message.removeprefix("webhook_url"), code=exc.code, param="url") from None
    record = await caller.verified(lifecycle.GENERATE)
    entry = await anyio.to_thread.run_sync(webhook_topics.register, record.id, topic, url)
    return Reply(body=entry, status=201)


async def list_webhooks(caller: Caller) -> Reply:
    record = await caller.verified(lifecycle.READ)
    entries = await anyio.to_thread.run_sync(webhook_topics.topics, record.id)
    return Reply(body={"object": "list", "data": entries})


async def delete_webhook(caller: Caller, topic: str) -> Reply:
    record = await caller.verified(lifecycle.GENERATE)
    webhook_topics.check_topic(topic, param="topic")
    await anyio.to_thread.run_sync(webhook_topics.delete, record.id, topic)
    return Reply(body={"object": "webhook.deleted", "topic": topic, "deleted": True})
