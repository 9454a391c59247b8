"""Key records in DynamoDB: create, read, credit, revoke. Used by the admin API and the console.

Revoking keeps the item (and its balance and history) and marks it; admission refuses marked keys
at once, read-only lookups within the key cache's TTL. A key of an account (made in the console or
by a device code) names it in `account_id`, spends the account's credits, and may carry a spending
cap (`cap_micro`, cumulative) against what it has spent (`spent_micro`); its own `balance` stays 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tollway.auth.keys import new_key
from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import InvalidRequest, NotFound


@dataclass(frozen=True)
class KeyRecord:
    id: str
    key_hash: str
    name: str
    balance: int  # micro-credits
    rpm: int
    scopes: tuple[str, ...]
    created_at: str
    revoked_at: str | None = None
    account_id: str | None = None
    cap_micro: int | None = None
    spent_micro: int = 0
    device: str | None = None  # the device a device code gave it to

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> KeyRecord:
        cap = item.get("cap_micro", {}).get("N")
        return cls(
            id=item["id"]["S"],
            key_hash=item["key_hash"]["S"],
            name=item.get("name", {}).get("S", ""),
            balance=int(item["balance"]["N"]),
            rpm=int(item["rpm"]["N"]),
            scopes=tuple(sorted(item.get("scopes", {}).get("SS", []))),
            created_at=item.get("created_at", {}).get("S", ""),
            revoked_at=item.get("revoked_at", {}).get("S"),
            account_id=item.get("account_id", {}).get("S"),
            cap_micro=int(cap) if cap is not None else None,
            spent_micro=int(item.get("spent_micro", {}).get("N", 0)),
            device=item.get("device", {}).get("S"),
        )


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_key(name: str, balance: int, rpm: int, scopes: tuple[str, ...], *, account_id: str | None = None,
               cap_micro: int | None = None, device: str | None = None) -> tuple[str, KeyRecord]:
    key, ref = new_key()
    record = KeyRecord(ref.id, ref.hash, name, balance, rpm, tuple(sorted(scopes)), _now_iso(), account_id=account_id,
                       cap_micro=cap_micro, device=device)
    account: dict[str, Any] = {}
    if account_id is not None:
        account = {"account_id": {"S": account_id}, "spent_micro": {"N": "0"}}
        if cap_micro is not None:  # the cap as set, and `cap_left`, what the ledger's admission draws on
            account |= {"cap_micro": {"N": str(cap_micro)}, "cap_left": {"N": str(cap_micro)}}
        if device is not None:
            account["device"] = {"S": device}
    client("dynamodb").put_item(
        TableName=settings().keys_table,
        Item=account | {
            "id": {"S": record.id},
            "key_hash": {"S": record.key_hash},
            "name": {"S": record.name},
            "balance": {"N": str(record.balance)},
            "rpm": {"N": str(record.rpm)},
            "scopes": {"SS": list(record.scopes)},
            "created_at": {"S": record.created_at},
            # Reservations in flight (see ledger/admission.py); the map must exist to take entries.
            "pending": {"M": {}},
            # Prepaid leases of the processes serving it (see ledger/leases.py).
            "leases": {"M": {}},
        },
        ConditionExpression="attribute_not_exists(id)",
    )
    return key, record


def get_key(key_id: str, *, consistent: bool = True) -> KeyRecord:
    item = client("dynamodb").get_item(
        TableName=settings().keys_table, Key={"id": {"S": key_id}}, ConsistentRead=consistent
    ).get("Item")
    if not item or "key_hash" not in item:  # an account's item is no key
        raise NotFound(f"No API key with id {key_id!r}", code="key_not_found")
    return KeyRecord.from_item(item)


def add_credits(key_id: str, amount: int) -> int:
    """Add (or, negative, remove) credits; a removal may not take the balance below zero. A top-up of a
    key that owes (a charge beyond its balance, see ledger/settlement.py) pays the debt first."""
    ddb = client("dynamodb")
    removal = amount < 0
    try:
        result = ddb.update_item(
            TableName=settings().keys_table,
            Key={"id": {"S": key_id}},
            UpdateExpression="SET #b = #b + :amount",
            ConditionExpression="attribute_exists(id) AND #b >= :floor" if removal else "attribute_exists(id)",
            ExpressionAttributeNames={"#b": "balance"},
            ExpressionAttributeValues={":amount": {"N": str(amount)}} | ({":floor": {"N": str(-amount)}} if removal else {}),
            ReturnValues="UPDATED_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ddb.exceptions.ConditionalCheckFailedException as exc:
        if not exc.response.get("Item"):
            raise NotFound(f"No API key with id {key_id!r}", code="key_not_found") from None
        raise InvalidRequest("This debit would take the balance below zero",
                             code="insufficient_balance", param="amount") from None
    return int(result["Attributes"]["balance"]["N"])


def revoke_key(key_id: str, *, account_id: str | None = None) -> None:
    """With `account_id`, only a key of that account (another's is answered as missing)."""
    ddb = client("dynamodb")
    owned = " AND account_id = :account" if account_id is not None else ""
    try:
        ddb.update_item(
            TableName=settings().keys_table,
            Key={"id": {"S": key_id}},
            UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :now)",
            ConditionExpression="attribute_exists(id) AND attribute_exists(key_hash)" + owned,
            ExpressionAttributeValues={":now": {"S": _now_iso()}}
            | ({":account": {"S": account_id}} if account_id is not None else {}),
        )
    except ddb.exceptions.ConditionalCheckFailedException:
        raise NotFound(f"No API key with id {key_id!r}", code="key_not_found") from None
