"""Two fixes to moto's DynamoDB, applied only inside `tollway serve`'s emulator child.

1. `TransactWriteItems` deep-copies every table it touches before applying, so its cost grows with
   the table: the usage table gains a row per request, and settlement (one transaction) got slower
   with every request (5 ms at 200 rows, 21 ms at 1,000). Here the backup is of the touched items
   only. Safe because the emulator runs DynamoDB requests one at a time (SerializeDynamoDB).
2. moto's BaseModel records every instance it ever made in `instances_tracked` (for its reset),
   deep copies included, so nothing is ever freed: 1,000 transactions kept 3.5 M objects and
   hundreds of MB alive. Nothing but moto's reset reads those lists for DynamoDB's models, so they
   are emptied after each DynamoDB request.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from types import SimpleNamespace
from typing import Any


def install() -> None:
    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.transact_write_items
    if getattr(original, "__tollway_patched__", False):
        return

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        backups = [backup for entry in transact_items if (backup := _item_backup(self, entry)) is not None]
        module_copy = dynamodb_models.copy
        # The original still "backs up" each table: make that the table itself (free), and restore
        # only the touched items if the transaction fails.
        dynamodb_models.copy = _TABLES_NOT_COPIED  # type: ignore[attr-defined]
        try:
            original(self, transact_items)
        except BaseException:
            for table, hash_key, range_key, previous in reversed(backups):
                _restore(table, hash_key, range_key, previous)
            raise
        finally:
            dynamodb_models.copy = module_copy  # type: ignore[attr-defined]

    transact_write_items.__tollway_patched__ = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def forget_tracked_instances() -> None:
    for model in _dynamodb_models():
        model.instances_tracked.clear()


def _deepcopy_except_tables(value: Any, memo: Any = None) -> Any:
    from moto.dynamodb.models.table import Table

    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


_TABLES_NOT_COPIED = SimpleNamespace(deepcopy=_deepcopy_except_tables, copy=copy.copy)


def _item_backup(backend: Any, entry: dict[str, Any]) -> tuple[Any, Any, Any, Any] | None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        (_, op), = entry.items()
        table = backend.tables[op["TableName"]]
        key = op.get("Key") or op["Item"]
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    except (KeyError, TypeError, ValueError):
        return None  # malformed: the original refuses it before changing anything
    return table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))


def _restore(table: Any, hash_key: Any, range_key: Any, previous: Any) -> None:
    if range_key is None:
        if previous is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = previous
        return
    if previous is None:
        table.items.get(hash_key, {}).pop(range_key, None)
    else:
        table.items[hash_key][range_key] = previous


@lru_cache(maxsize=1)
def _dynamodb_models() -> tuple[Any, ...]:
    from moto.core.common_models import BaseModel

    found, pending = [], list(BaseModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("moto.dynamodb") and hasattr(cls, "instances_tracked"):
            found.append(cls)
    return tuple(found)
