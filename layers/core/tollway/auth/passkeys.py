"""Passkeys: the WebAuthn credentials a user signs in with, stored under the user's partition.

    passkey_put(p)                               # TransactWriteItems entry (sign-up: with the user)
    add_passkey(p)                               # another one, at most MAX_PER_USER
    get_passkey(user_id, credential_id)          # what an assertion is verified against
    record_use(p, new_sign_count)                # False if another sign-in moved the counter first
    remove_passkey(user_id, credential_id)       # never the last one

Only the public key is stored. The sign count is updated by a write conditional on the count the
assertion was verified against, so two sign-ins with the same counter value (a cloned authenticator,
or one assertion sent twice at once) cannot both succeed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tollway.auth import account_table as t
from tollway.auth.users import partition
from tollway.errors import Conflict, NotFound

MAX_PER_USER = 10
NAME_MAX = 64


@dataclass(frozen=True)
class Passkey:
    user_id: str
    credential_id: str  # base64url, as the browser names it
    public_key: bytes  # COSE
    sign_count: int
    name: str
    created_at: str
    transports: tuple[str, ...] = ()
    backed_up: bool = False
    last_used_at: str | None = None
    aaguid: str = ""

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Passkey:
        raw = item["public_key"]["B"]
        return cls(user_id=t.text(item, "user_id"), credential_id=t.text(item, "credential_id"),
                   public_key=raw if isinstance(raw, bytes) else bytes(raw), sign_count=t.number(item, "sign_count"),
                   name=t.text(item, "name"), created_at=t.text(item, "created_at"),
                   transports=tuple(item.get("transports", {}).get("SS", [])),
                   backed_up=bool(item.get("backed_up", {}).get("BOOL", False)),
                   last_used_at=t.text(item, "last_used_at") or None, aaguid=t.text(item, "aaguid"))


def _sk(credential_id: str) -> str:
    return f"passkey#{credential_id}"


def _item(p: Passkey) -> dict[str, Any]:
    item = {**t.key(partition(p.user_id), _sk(p.credential_id)), "user_id": t.s(p.user_id),
            "credential_id": t.s(p.credential_id), "public_key": {"B": p.public_key},
            "sign_count": t.n(p.sign_count), "name": t.s(p.name[:NAME_MAX] or "Passkey"),
            "created_at": t.s(p.created_at), "backed_up": {"BOOL": p.backed_up}, "aaguid": t.s(p.aaguid)}
    if p.transports:
        item["transports"] = {"SS": sorted(set(p.transports))}
    return item


def passkey_put(p: Passkey) -> dict[str, Any]:
    return {"Put": {"TableName": t.table(), "Item": _item(p), "ConditionExpression": "attribute_not_exists(pk)"}}


def add_passkey(p: Passkey) -> None:
    """Store another passkey of an existing user and count it, in one transaction."""
    ddb = t.ddb()
    try:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": t.table(), "Key": t.key(partition(p.user_id), "profile"),
                        "UpdateExpression": "SET passkeys = passkeys + :one",
                        "ConditionExpression": "attribute_exists(pk) AND passkeys < :max",
                        "ExpressionAttributeValues": {":one": t.n(1), ":max": t.n(MAX_PER_USER)}}},
            passkey_put(p),
        ])
    except ddb.exceptions.TransactionCanceledException:
        raise Conflict(f"A user may have at most {MAX_PER_USER} passkeys (or this one is already registered)",
                       code="passkey_limit") from None


def get_passkey(user_id: str, credential_id: str) -> Passkey | None:
    item = t.get(partition(user_id), _sk(credential_id))
    return Passkey.from_item(item) if item else None


def passkeys_of(user_id: str) -> list[Passkey]:
    return [Passkey.from_item(item) for item in t.query_prefix(partition(user_id), "passkey#")]


def record_use(p: Passkey, new_sign_count: int) -> bool:
    ddb = t.ddb()
    try:
        ddb.update_item(TableName=t.table(), Key=t.key(partition(p.user_id), _sk(p.credential_id)),
                        UpdateExpression="SET sign_count = :new, last_used_at = :now",
                        ConditionExpression="sign_count = :old",
                        ExpressionAttributeValues={":new": t.n(new_sign_count), ":old": t.n(p.sign_count),
                                                   ":now": t.s(t.iso(time.time()))})
    except ddb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def remove_passkey(user_id: str, credential_id: str) -> None:
    ddb = t.ddb()
    try:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": t.table(), "Key": t.key(partition(user_id), "profile"),
                        "UpdateExpression": "SET passkeys = passkeys - :one",
                        "ConditionExpression": "passkeys > :one", "ExpressionAttributeValues": {":one": t.n(1)}}},
            {"Delete": {"TableName": t.table(), "Key": t.key(partition(user_id), _sk(credential_id)),
                        "ConditionExpression": "attribute_exists(pk)"}},
        ])
    except ddb.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons") or []
        if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
            raise NotFound("No such passkey", code="passkey_not_found") from None
        raise Conflict("This is your only passkey: add another one before removing it",
                       code="last_passkey") from None
