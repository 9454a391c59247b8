"""Providers registered at run time (`/api/v1/inference/providers`), kept in ProvidersTable.

    snapshot().by_ref("my-vllm")             # a RegisteredProvider by id or name, or None
    registered_spec("my-vllm/llama3", "chat") # the ModelSpec it serves the model as (or UnpricedModel)
    put(provider, new_name=True)              # one transaction: the provider item and its name's claim

Every process reads the whole table (a handful of items: one per provider and one per name) at
most once per STALENESS_S and only when a request names a registered provider, so a provider
registered, changed or deleted through any function serves everywhere within STALENESS_S seconds
without a restart (at once in the process that wrote it). A name is unique because it is claimed by
its own item (`name#<name>`) in the same transaction that writes the provider.

The key itself is never here: `env_var` names the environment variable or provider secret field
that holds it (config.secret), read when the adapter calls.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from tollway.catalog.spec import Kind, ModelSpec
from tollway.config import settings
from tollway.errors import Conflict, InvalidRequest, NotFound

log = logging.getLogger("tollway.catalog")

STALENESS_S = 5.0
MAX_SYNCED_MODELS = 2000
_PROVIDER, _NAME = "provider#", "name#"


class UnpricedModel(InvalidRequest):
    """A registered provider's model with no price: refused (400) rather than served free."""

    code = "unpriced_model"


@dataclass(frozen=True)
class SyncedModel:
    id: str
    created: int | None = None
    owned_by: str | None = None


@dataclass(frozen=True)
class RegisteredProvider:
    id: str
    name: str
    type: str
    base_url: str
    env_var: str | None = None
    default_model: str | None = None
    created: float = 0.0
    updated: float = 0.0
    # model → (µc per input token, µc per output token), set by the operator
    prices: dict[str, tuple[int, int]] = field(default_factory=dict, hash=False, compare=False)
    models: tuple[SyncedModel, ...] = ()
    synced_at: float | None = None

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": {"S": _PROVIDER + self.id}, "id": {"S": self.id}, "name": {"S": self.name},
            "type": {"S": self.type}, "base_url": {"S": self.base_url},
            "created": {"N": repr(self.created)}, "updated": {"N": repr(self.updated)},
            "prices": {"M": {m: {"L": [{"N": str(i)}, {"N": str(o)}]} for m, (i, o) in self.prices.items()}},
            "models": {"L": [{"M": _synced_item(m)} for m in self.models]},
        }
        if self.env_var:
            item["env_var"] = {"S": self.env_var}
        if self.default_model:
            item["default_model"] = {"S": self.default_model}
        if self.synced_at is not None:
            item["synced_at"] = {"N": repr(self.synced_at)}
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> RegisteredProvider:
        prices = {m: (int(v["L"][0]["N"]), int(v["L"][1]["N"])) for m, v in item.get("prices", {}).get("M", {}).items()}
        models = tuple(SyncedModel(m["M"]["id"]["S"], int(m["M"]["created"]["N"]) if "created" in m["M"] else None,
                                   m["M"]["owned_by"]["S"] if "owned_by" in m["M"] else None)
                       for m in item.get("models", {}).get("L", []))
        return cls(item["id"]["S"], item["name"]["S"], item["type"]["S"], item["base_url"]["S"],
                   item.get("env_var", {}).get("S"), item.get("default_model", {}).get("S"),
                   float(item["created"]["N"]), float(item["updated"]["N"]), prices, models,
                   float(item["synced_at"]["N"]) if "synced_at" in item else None)

    def price_of(self, model: str, kind: Kind) -> tuple[int, int] | None:
        """The operator's price for `model`, else the catalog's for the same model of the same kind."""
        if model in self.prices:
            return self.prices[model]
        from tollway.catalog.listed import CATALOG

        known = CATALOG.get(model)
        if known is not None and known.kind == kind and kind in ("chat", "embedding"):
            return known.input_price, known.output_price
        return None


def _synced_item(model: SyncedModel) -> dict[str, Any]:
    item: dict[str, Any] = {"id": {"S": model.id}}
    if model.created is not None:
        item["created"] = {"N": str(model.created)}
    if model.owned_by:
        item["owned_by"] = {"S": model.owned_by}
    return item


@dataclass(frozen=True)
class Snapshot:
    by_id: dict[str, RegisteredProvider]
    read_at: float

    @property
    def by_name(self) -> dict[str, RegisteredProvider]:
        return {p.name: p for p in self.by_id.values()}

    def by_ref(self, ref: str) -> RegisteredProvider | None:
        return self.by_id.get(ref) or self.by_name.get(ref)


_EMPTY = Snapshot({}, 0.0)
_lock = threading.Lock()
_current: Snapshot | None = None


def enabled() -> bool:
    return settings().providers_table is not None


def snapshot(*, fresh: bool = False) -> Snapshot:
    """Every registered provider, as read at most STALENESS_S ago (`fresh`: read now)."""
    global _current
    if not enabled():
        return _EMPTY
    found = _current
    if found is not None and not fresh and time.monotonic() - found.read_at < STALENESS_S:
        return found
    with _lock:
        found = _current
        if found is not None and not fresh and time.monotonic() - found.read_at < STALENESS_S:
            return found
        try:
            found = Snapshot({p.id: p for p in _read_all()}, time.monotonic())
        except Exception as exc:  # noqa: BLE001 - a registry that cannot be read must not stop the built-ins
            log.warning("tollway: the provider registry could not be read: %s", type(exc).__name__)
            found = found or Snapshot({}, time.monotonic())
        _current = found
        return found


def forget() -> None:
    """Read the table again on next use (after a write in this process, and in tests)."""
    global _current
    _current = None


def _read_all() -> list[RegisteredProvider]:
    from tollway.aws_clients import client

    # The registry is a few dozen items: one paginated Scan of them all is its cheapest read.
    pages = client("dynamodb").get_paginator("scan").paginate(
        TableName=settings().providers_table, ConsistentRead=True,
        FilterExpression="begins_with(pk, :p)", ExpressionAttributeValues={":p": {"S": _PROVIDER}})
    return [RegisteredProvider.from_item(item) for page in pages for item in page["Items"]]


def registered_spec(model: str, kind: Kind) -> ModelSpec | None:
    """`<provider name>/<model>` of a registered provider, as a chat model (None: not one). Registered
    providers serve chat only: the media adapters send the gateway's model name, not the provider's."""
    name, slash, upstream_id = model.partition("/")
    if not slash or not upstream_id or kind != "chat" or not enabled():
        return None
    provider = snapshot().by_name.get(name)
    if provider is None:
        return None
    from tollway.catalog.listed import CATALOG

    known = CATALOG.get(upstream_id)
    if known is not None and known.kind != "chat":
        return None
    price = provider.price_of(upstream_id, kind)
    if price is None:
        raise UnpricedModel(f"model: {model} has no price yet, so it is not served: the operator prices it with "
                            f"PUT /api/v1/inference/providers/{name} {{\"prices\": {{\"{upstream_id}\": "
                            "{\"input\": \"…\", \"output\": \"…\"}}}} (credits per token)", param="model")
    template = known if known is not None else ModelSpec(model, name)
    return replace(template, id=model, provider=name, input_price=price[0], output_price=price[1],
                   upstream_id=upstream_id, listed=False)


# -- writes ------------------------------------------------------------------------------------


def _ddb() -> Any:
    from tollway.aws_clients import client

    return client("dynamodb")


def read(ref: str) -> RegisteredProvider:
    """A provider by id or name, read now (404 if there is none)."""
    found = snapshot(fresh=True).by_ref(ref)
    if found is None:
        raise NotFound(f"No provider {ref!r} is registered")
    return found


def put(provider: RegisteredProvider, *, previous: RegisteredProvider | None = None) -> None:
    """Write `provider` (new when `previous` is None), claiming its name in the same transaction: a name
    already claimed is a 409; a provider changed by someone else since `previous` was read is a 409."""
    table = settings().providers_table
    items: list[dict[str, Any]] = []
    provider_put: dict[str, Any] = {"TableName": table, "Item": provider.to_item()}
    if previous is None:
        provider_put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        provider_put["ConditionExpression"] = "updated = :was"
        provider_put["ExpressionAttributeValues"] = {":was": {"N": repr(previous.updated)}}
    items.append({"Put": provider_put})
    if previous is None or previous.name != provider.name:
        claim = {"pk": {"S": _NAME + provider.name}, "id": {"S": provider.id}}
        items.append({"Put": {"TableName": table, "Item": claim,
                              "ConditionExpression": "attribute_not_exists(pk)"}})
    if previous is not None and previous.name != provider.name:
        items.append({"Delete": {"TableName": table, "Key": {"pk": {"S": _NAME + previous.name}}}})
    _transact(items, f"The provider name {provider.name!r} is taken, or the provider changed meanwhile")


def delete(provider: RegisteredProvider) -> None:
    table = settings().providers_table
    _transact([{"Delete": {"TableName": table, "Key": {"pk": {"S": _PROVIDER + provider.id}},
                           "ConditionExpression": "attribute_exists(pk)"}},
               {"Delete": {"TableName": table, "Key": {"pk": {"S": _NAME + provider.name}}}}],
              f"The provider {provider.name!r} changed meanwhile")


def _transact(items: list[dict[str, Any]], conflict: str) -> None:
    from botocore.exceptions import ClientError

    try:
        _ddb().transact_write_items(TransactItems=items)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException":
            raise Conflict(conflict) from None
        raise
    finally:
        forget()
