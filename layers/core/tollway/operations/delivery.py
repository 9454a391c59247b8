"""Where an operation's outcome goes besides its record: `webhook_topic` (a webhook endpoint the key
registered, POST /v1/webhooks) and `result_destination` (an object in the key's own storage).

    fields, delivery = split_delivery(body)      # shapes checked: a 400 naming the field
    order = delivery.onto(kind.order(fields))    # the kind never sees them (nor sends them upstream)
    op, headers = await open_operation(caller, order)   # resolves the topic, before anything is reserved

Both are accepted wherever `"async": true` is (chat, speech, transcription, translation, images,
documents, videos, music). An unknown topic or bucket is a 400 naming the field, and nothing is
reserved or written; the result is copied to the destination when the operation succeeds.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from tollway.errors import InvalidRequest
from tollway.operations.kinds.base import Order
from tollway.operations.webhook_topics import check_topic
from tollway.storage.refs import StorageRef, storage_ref

FIELDS = ("webhook_topic", "result_destination")


@dataclass(frozen=True)
class Delivery:
    topic: str | None = None
    destination: StorageRef | None = None

    @property
    def asked(self) -> bool:
        return self.topic is not None or self.destination is not None

    def onto(self, order: Order) -> Order:
        if self.topic is not None and order.webhook_url is not None:
            raise InvalidRequest("webhook_topic: send webhook_url or webhook_topic, not both", code="invalid_value",
                                 param="webhook_topic")
        params = dict(order.params)
        if self.destination is not None:
            params["result_destination"] = {"bucket_id": self.destination.bucket_id, "key": self.destination.key}
        return dataclasses.replace(order, webhook_topic=self.topic, params=params)


def split_delivery(fields: dict[str, Any]) -> tuple[dict[str, Any], Delivery]:
    rest = {k: v for k, v in fields.items() if k not in FIELDS}
    topic = fields.get("webhook_topic")
    destination = fields.get("result_destination")
    if isinstance(destination, str):  # a multipart form field: the object as JSON text
        try:
            destination = json.loads(destination)
        except ValueError:
            raise InvalidRequest("result_destination: must be an object {\"bucket_id\", \"key\"} (JSON in a form)",
                                 code="invalid_value", param="result_destination") from None
    return rest, Delivery(
        check_topic(topic, param="webhook_topic") if topic is not None else None,
        storage_ref(destination, param="result_destination", writable=True) if destination is not None else None)


def refuse_without_async(fields: dict[str, Any]) -> None:
    """A request answered in the request has no operation to deliver: asking for one is a mistake."""
    for name in FIELDS:
        if fields.get(name) is not None:
            raise InvalidRequest(f"{name}: only an async request (\"async\": true) delivers its result elsewhere",
                                 code="invalid_value", param=name)
