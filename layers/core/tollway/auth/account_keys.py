"""The keys of an account: made in the console or by a device code, listed, revoked by their owner.

    key, record = create_account_key("acct_…", name="laptop", scopes=("ai:read",), rpm=60, cap_micro=None)
    keys_of("acct_…")                 # every key of the account, revoked ones included, newest first
    owned_key("acct_…", key_id)       # the key, or a 404 exactly like a missing one
    revoke_owned("acct_…", key_id)

Keys are found through the KeysTable's `AccountKeys` index (account_id, created_at; keys only), then
read in batches: the index never carries what the ledger writes on every request.
"""

from __future__ import annotations

import re
from typing import Any

from tollway.auth.keys import PRESET_RPM, SCOPES
from tollway.auth.store import KeyRecord, create_key, get_key, revoke_key
from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import Conflict, InvalidRequest, NotFound

INDEX = "AccountKeys"
# Active keys an account may hold at once (devices included): enough for any team's laptops and
# services, and a bound on what one account can make the gateway store.
MAX_ACTIVE_KEYS = 100
NAME_MAX = 64
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")


def clean_key_name(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isprintable()).strip()[:NAME_MAX]


def check_key_terms(scopes: tuple[str, ...], rpm: int, cap_micro: int | None) -> None:
    """What a self-service key may be: known scopes, one of the rpm presets, a positive cap."""
    if not scopes or set(scopes) - SCOPES:
        raise InvalidRequest(f"scopes must be a non-empty subset of {sorted(SCOPES)}", code="invalid_value",
                             param="scopes")
    if rpm not in PRESET_RPM:
        raise InvalidRequest(f"rpm must be one of the presets {list(PRESET_RPM)}", code="invalid_value", param="rpm")
    if cap_micro is not None and cap_micro <= 0:
        raise InvalidRequest("cap must be above zero (or absent for no cap)", code="invalid_value", param="cap")


def create_account_key(account_id: str, *, name: str, scopes: tuple[str, ...], rpm: int, cap_micro: int | None,
                       device: str | None = None) -> tuple[str, KeyRecord]:
    check_key_terms(scopes, rpm, cap_micro)
    cleaned = clean_key_name(name)
    if not cleaned:
        raise InvalidRequest("name must not be empty", code="invalid_value", param="name")
    active = sum(1 for k in keys_of(account_id) if not k.revoked_at)
    if active >= MAX_ACTIVE_KEYS:
        raise Conflict(f"An account may hold at most {MAX_ACTIVE_KEYS} active keys: revoke one first",
                       code="key_limit")
    return create_key(cleaned, 0, rpm, tuple(sorted(set(scopes))), account_id=account_id, cap_micro=cap_micro,
                      device=device)


def _ids(account_id: str) -> list[str]:
    pages = client("dynamodb").get_paginator("query").paginate(
        TableName=settings().keys_table, IndexName=INDEX, KeyConditionExpression="account_id = :a",
        ExpressionAttributeValues={":a": {"S": account_id}}, ScanIndexForward=False)
    return [item["id"]["S"] for page in pages for item in page.get("Items", [])]


def _batch_get(ids: list[str]) -> list[dict[str, Any]]:
    ddb = client("dynamodb")
    table = settings().keys_table
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), 100):
        request: dict[str, Any] = {table: {"Keys": [{"id": {"S": i}} for i in ids[start:start + 100]],
                                           "ConsistentRead": True}}
        while request:
            answer = ddb.batch_get_item(RequestItems=request)
            found.extend(answer.get("Responses", {}).get(table, []))
            request = answer.get("UnprocessedKeys") or {}
    return found


def keys_of(account_id: str) -> list[KeyRecord]:
    items = [i for i in _batch_get(_ids(account_id)) if i.get("account_id", {}).get("S") == account_id]
    return sorted((KeyRecord.from_item(i) for i in items), key=lambda k: (k.created_at, k.id), reverse=True)


def _missing(key_id: str) -> NotFound:
    return NotFound(f"No API key with id {key_id[:64]!r}", code="key_not_found")


def owned_key(account_id: str, key_id: str) -> KeyRecord:
    if not _KEY_ID.match(key_id):
        raise _missing(key_id)
    try:
        record = get_key(key_id)
    except NotFound:
        raise _missing(key_id) from None
    if record.account_id != account_id:
        raise _missing(key_id)
    return record


def revoke_owned(account_id: str, key_id: str) -> None:
    if not _KEY_ID.match(key_id):
        raise _missing(key_id)
    try:
        revoke_key(key_id, account_id=account_id)
    except NotFound:
        raise _missing(key_id) from None
