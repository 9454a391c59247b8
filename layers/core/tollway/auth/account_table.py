"""The AccountsTable: everything of the console that is not money, as typed items of one table.

    pk                          sk                          what
    user#<user id>              profile                     a user: name, account id, passkey count
    user#<user id>              passkey#<credential id>     one of the user's passkeys
    user#<user id>              session#<sha256 of secret>  one of the user's console sessions
    ceremony#<id>               ceremony                    a WebAuthn challenge in flight (single use)
    code#<CODE>                 code                        a device code (single use, 10 minutes)
    invite#<sha256 of code>     invite                      an invite code made with the admin key
    account#<account id>        grant#<time>#<id>           a credit grant by the operator
    attempts#<bucket>#<window>  attempts                    attempts counted in one window

A user's own things share their partition, so listing them is one Query and no index is needed.
Items that expire carry `expires_at` (epoch seconds) for DynamoDB's TTL, which deletes them some
time later: readers always compare it with the clock themselves.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tollway.aws_clients import client
from tollway.config import settings


def table() -> str:
    return settings().accounts_table


def ddb() -> Any:
    return client("dynamodb")


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: int | float) -> dict[str, str]:
    return {"N": str(value)}


def text(item: dict[str, Any], name: str, default: str = "") -> str:
    return str(item.get(name, {}).get("S", default))


def number(item: dict[str, Any], name: str, default: int = 0) -> int:
    raw = item.get(name, {}).get("N")
    return int(raw) if raw is not None else default


def iso(at: float | None = None, *, micro: bool = False) -> str:
    """UTC ISO-8601 (with microseconds for sort keys that must order events of the same second)."""
    moment = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


def get(pk: str, sk: str) -> dict[str, Any] | None:
    found = ddb().get_item(TableName=table(), Key=key(pk, sk), ConsistentRead=True).get("Item")
    return found if found else None


def query_prefix(pk: str, prefix: str, *, newest_first: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    """The items of partition `pk` whose sort key starts with `prefix`, in sort-key order."""
    params: dict[str, Any] = {
        "TableName": table(), "ConsistentRead": True,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": s(pk), ":prefix": s(prefix)}, "ScanIndexForward": not newest_first}
    found: list[dict[str, Any]] = []
    for page in ddb().get_paginator("query").paginate(**params):
        found.extend(page.get("Items", []))
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found


def conditional_failed(exc: Exception) -> bool:
    return type(exc).__name__ == "ConditionalCheckFailedException"
