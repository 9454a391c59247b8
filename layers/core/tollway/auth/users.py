"""Users: who signs in to the console. Passkeys only, so a user is a name, an account and a count
of passkeys (kept on the profile so the last one can never be removed, even by two removals at once).

    user = User.new("Ada")                         # id "usr_<32 hex>", also the WebAuthn user handle
    t.ddb().transact_write_items(TransactItems=[user_put(user), ...])
    get_user("usr_…")                              # None if there is none
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from tollway.auth import account_table as t

PREFIX = "usr_"
_SHAPE = re.compile(r"^usr_[0-9a-f]{32}$")
NAME_MAX = 64


def is_user_id(value: str) -> bool:
    return bool(_SHAPE.match(value))


def clean_name(raw: str) -> str:
    """A display name as typed, without control characters or surrounding space (it is rendered
    escaped anyway, and goes into the authenticator's account list)."""
    return "".join(ch for ch in raw if ch.isprintable()).strip()[:NAME_MAX]


@dataclass(frozen=True)
class User:
    id: str
    name: str
    account_id: str
    created_at: str
    passkeys: int = 0

    @classmethod
    def new(cls, name: str, account_id: str) -> User:
        return cls(id=PREFIX + secrets.token_hex(16), name=name, account_id=account_id, created_at=t.iso())

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> User:
        return cls(id=t.text(item, "user_id"), name=t.text(item, "name"), account_id=t.text(item, "account_id"),
                   created_at=t.text(item, "created_at"), passkeys=t.number(item, "passkeys"))


def partition(user_id: str) -> str:
    return f"user#{user_id}"


def user_put(user: User) -> dict[str, Any]:
    """The profile as a TransactWriteItems entry, with its first passkey counted."""
    item = {**t.key(partition(user.id), "profile"), "user_id": t.s(user.id), "name": t.s(user.name),
            "account_id": t.s(user.account_id), "created_at": t.s(user.created_at), "passkeys": t.n(1)}
    return {"Put": {"TableName": t.table(), "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}


def get_user(user_id: str) -> User | None:
    if not is_user_id(user_id):
        return None
    item = t.get(partition(user_id), "profile")
    return User.from_item(item) if item else None
