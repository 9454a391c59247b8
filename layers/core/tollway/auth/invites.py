"""Invite codes: with TOLLWAY_SIGNUP=invite, sign-up needs one. The operator makes them with the
admin key (`POST /admin/invites`, `tollway invites create`); only their SHA-256 is stored.

    code = create_invite(uses=1, expires_in_s=7 * 86_400, note="for Ada")   # "inv_…", shown once
    check_invite(code)                  # a 400 unless it exists, has uses left and has not expired
    consume_invite(code)                # a TransactWriteItems entry: one use, conditional on the same
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import Any

from tollway.auth import account_table as t
from tollway.errors import InvalidRequest

_SHAPE = re.compile(r"^inv_[A-Za-z0-9_-]{22}$")
MAX_USES = 10_000
MAX_EXPIRY_S = 365 * 86_400


def _key(code: str) -> dict[str, Any]:
    return t.key(f"invite#{hashlib.sha256(code.encode()).hexdigest()}", "invite")


def create_invite(uses: int, expires_in_s: int, note: str = "") -> tuple[str, int]:
    """(the code, its expiry in epoch seconds)."""
    code = "inv_" + secrets.token_urlsafe(16)
    expires_at = int(time.time()) + expires_in_s
    t.ddb().put_item(TableName=t.table(), Item={**_key(code), "uses_left": t.n(uses), "note": t.s(note[:200]),
                                                "created_at": t.s(t.iso()), "expires_at": t.n(expires_at)},
                     ConditionExpression="attribute_not_exists(pk)")
    return code, expires_at


def _refused() -> InvalidRequest:
    return InvalidRequest("This invite code is not valid (unknown, used up or expired)", code="invalid_invite",
                          param="invite")


def check_invite(code: str) -> None:
    if not _SHAPE.match(code):
        raise _refused()
    item = t.get(_key(code)["pk"]["S"], "invite")
    if item is None or t.number(item, "uses_left") <= 0 or t.number(item, "expires_at") <= time.time():
        raise _refused()


def consume_invite(code: str) -> dict[str, Any]:
    return {"Update": {"TableName": t.table(), "Key": _key(code), "UpdateExpression": "SET uses_left = uses_left - :one",
                       "ConditionExpression": "attribute_exists(pk) AND uses_left >= :one AND expires_at > :now",
                       "ExpressionAttributeValues": {":one": t.n(1), ":now": t.n(int(time.time()))}}}
