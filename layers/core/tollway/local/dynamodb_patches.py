"""Two fixes to moto's DynamoDB, applied only inside `tollway serve`'s emulator child.

1. `TransactWriteItems` deep-copies every table it touches before applying, so its cost grows with
   the table: the usage table gains a row per request, and settlement (one transaction) got slower
   with every request (5 ms at 200 rows, 21 ms at 1,000). Here the backup is of the touched items
   only. Safe because the emulator runs DynamoDB requests one at a time (SerializeDynamoDB).
2. moto's BaseModel records every instance it ever made in `instances_tracked` (for its reset),
   deep copies included, so nothing is ever freed: 1,000 transactions kept 3.5 M objects and
   hundreds of MB alive. Nothing but moto's reset reads those lists for DynamoDB's models, so they
   are emptied after each DynamoDB request.
3. moto writes every response through one serializer driven by the botocore model: for each
   attribute value of an item it asks, for each of the ten members of `AttributeValue` (S, N, B,
   SS, ..., BOOL), which of several spellings the value has. That is half the CPU of a GetItem.
   A plain value (a dict of one known type whose contents have the types moto stores) is written
   here directly, to the very same JSON; anything else still goes through moto's serializer.
4. Requests are read the same way, each attribute value checked against the ten members: ~20% of
   a PutItem or BatchWriteItem. A plain value (one known type, JSON types as DynamoDB's JSON has
   them) is read here directly into what moto's parser makes of it; anything else, moto parses.
5. moto checks an item's 400 KB limit on each attribute it adds, re-measuring every attribute
   already there: quadratic, a quarter of a BatchWriteItem of usage records. A new item's
   attributes are measured once here; the limit and its error are the same.
6. A Query on a table's own key walks (and sorts) every item of the table to find one partition's:
   the usage table holds every request's record, and reading a key's 16 shards read it all 16
   times. Here a Query of a table's partition reads that partition's items only (the same list,
   in the same order, that moto's walk would have kept). Index queries are left as they are.
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
    _install_attribute_value_codec()
    _install_item_measured_once()
    _install_partition_query()


def _install_partition_query() -> None:
    from moto.dynamodb.models.table import Table

    original = Table.query
    if getattr(original, "__tollway_patched__", False):
        return

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name is not None or hash_key is None or not self.range_key_attr:
            return original(self, hash_key, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        self.all_items = lambda: partition  # moto's walk, over this partition only
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    query.__tollway_patched__ = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]


ITEM_SIZE_LIMIT = 405000  # moto's LimitedSizeDict limit: 400 KB, as DynamoDB measures it


def _install_item_measured_once() -> None:
    from moto.dynamodb.models.dynamo_type import Item

    original = Item.__init__

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        original(self, hash_key, range_key, {})
        fill_attributes(self.attrs, attrs)

    Item.__init__ = __init__  # type: ignore[method-assign]


def fill_attributes(target: dict[str, Any], attrs: dict[str, Any]) -> None:
    """What `for key, value in attrs.items(): target[key] = DynamoType(value)` does in moto's Item,
    with the item measured once instead of after each attribute."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.utilities import bytesize

    converted = {key: DynamoType(value) for key, value in attrs.items()}
    size = sum(item.size() if type(item) is DynamoType else bytesize(str(item))
               for item in [*target.keys(), *target.values(), *converted.keys(), *converted.values()])
    if size > ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    dict.update(target, converted)


def _install_attribute_value_codec() -> None:
    from moto.core.parse import JSONParser
    from moto.core.serialize import JSONSerializer

    JSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]
    JSONParser._parse_structure = parse_structure  # type: ignore[method-assign]
    JSONParser._parse_map = parse_map  # type: ignore[method-assign]


def parse_map(self: Any, shape: Any, value: Any) -> Any:
    """JSONParser._parse_map, with maps of plain attribute values (an item, a key) read directly."""
    from moto.core.parse import RequestParser

    if shape.value.name == "AttributeValue" and self.MAP_TYPE is dict and type(value) is dict:
        read = {}
        for name, member in value.items():
            plain = attribute_value_from_json(member, self._blob_parser)
            if plain is None:
                break
            read[name] = plain
        else:
            return read
    return RequestParser._parse_map(self, shape, value)


def parse_structure(self: Any, shape: Any, value: Any) -> Any:
    """JSONParser._parse_structure, with plain attribute values read directly."""
    from moto.core.parse import BaseJSONParser

    if shape.name == "AttributeValue" and self.MAP_TYPE is dict:
        plain = attribute_value_from_json(value, self._blob_parser)
        if plain is not None:
            return plain
    return BaseJSONParser._parse_structure(self, shape, value)


def attribute_value_from_json(value: Any, blob: Any) -> dict[str, Any] | None:
    """One attribute value of a request as moto's parser reads it, or None when it is not plain."""
    return _plain_attribute_value(value, blob, (str,))


def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
    """JSONSerializer._serialize_type_structure, with plain attribute values written directly."""
    from moto.core.serialize import BaseJSONSerializer

    if key and shape.name == "AttributeValue" and not getattr(self._value_picker, "response_transformers", None):
        plain = attribute_value_json(value, self._base64)
        if plain is not None:
            self._default_serialize(serialized, plain, shape, key)
            return
    BaseJSONSerializer._serialize_type_structure(self, serialized, value, shape, key)


def attribute_value_json(value: Any, base64: Any) -> dict[str, Any] | None:
    """One DynamoDB attribute value as moto's serializer writes it, or None when it is not plain."""
    return _plain_attribute_value(value, base64, (bytes, str))


def _plain_attribute_value(value: Any, blob: Any, blob_types: tuple[type, ...]) -> dict[str, Any] | None:
    """`value` with its binary members passed through `blob` (parsing: decode base64; writing: encode),
    or None when it is not plain JSON of the shape DynamoDB defines (moto's slow path decides then)."""
    if type(value) is not dict or len(value) != 1:
        return None
    (kind, inner), = value.items()
    if kind in ("S", "N"):
        return {kind: inner} if type(inner) is str else None
    if kind in ("SS", "NS"):
        return {kind: list(inner)} if type(inner) is list and all(type(x) is str for x in inner) else None
    if kind in ("NULL", "BOOL"):
        return {kind: inner} if type(inner) is bool else None
    if kind == "B":
        return {kind: blob(inner)} if type(inner) in blob_types else None
    if kind == "BS":
        return {kind: [blob(x) for x in inner]} if type(inner) is list and all(
            type(x) in blob_types for x in inner) else None
    if kind == "M" and type(inner) is dict:
        members = {}
        for name, member in inner.items():
            plain = _plain_attribute_value(member, blob, blob_types)
            if plain is None:
                return None
            members[name] = plain
        return {kind: members}
    if kind == "L" and type(inner) is list:
        elements = []
        for element in inner:
            plain = _plain_attribute_value(element, blob, blob_types)
            if plain is None:
                return None
            elements.append(plain)
        return {kind: elements}
    return None


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
