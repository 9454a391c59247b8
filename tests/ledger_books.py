"""The ledger's conservation law, checked from the store itself:

    start + top-ups = balance + charges + outstanding holds      (micro-credits, exactly)

`charges` is the sum of the key's usage records' `credits_micro`, `holds` the amounts still held on
its item (`pending`). Used after every money attack and by the ledger's property test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Books:
    balance: int
    charges: int
    holds: int
    records: list[dict[str, Any]]


def books(key_id: str) -> Books:
    from tollway.aws_clients import client
    from tollway.config import settings

    ddb = client("dynamodb")
    item = ddb.get_item(TableName=settings().keys_table, Key={"id": {"S": key_id}}, ConsistentRead=True)["Item"]
    pages = ddb.get_paginator("query").paginate(
        TableName=settings().usage_table, KeyConditionExpression="key_id = :k",
        ExpressionAttributeValues={":k": {"S": key_id}}, ConsistentRead=True)
    records = [record for page in pages for record in page["Items"]]
    holds = sum(int(hold["M"]["amount"]["N"]) for hold in item.get("pending", {}).get("M", {}).values())
    return Books(balance=int(item["balance"]["N"]), charges=sum(int(r["credits_micro"]["N"]) for r in records),
                 holds=holds, records=records)


def assert_conserved(key_id: str, start_micro: int, top_ups_micro: int = 0) -> Books:
    found = books(key_id)
    assert start_micro + top_ups_micro == found.balance + found.charges + found.holds, found
    return found
