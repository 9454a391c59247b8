"""Device codes: how the CLI gets a key of an account without anyone copying a secret.

Two flows, one kind of code (8 characters of an alphabet without look-alikes, 10 minutes, single use):
- the console makes a code, the user types it into `tollway auth CODE`:
      code = issue_code(account_id, terms)              # shown in the console
      key, record = redeem_code(code, device="laptop")  # the CLI: a key named and scoped for the device
- RFC 8628 style, for a machine without a browser: `tollway auth --device` asks for a code, shows it
  and a URL, and polls while the user approves it in the console:
      grant = start_device_grant(device="build-box")    # device_code (secret), user_code, expires_in…
      approve_device_code(user_code, account_id, terms) # the console
      poll_device_grant(device_code)                     # pending, slow_down, denied, expired, or the key

Every use of a code is one conditional write: a code is redeemed (or its key issued) at most once,
and never after its expiry. Guessing is bounded by `auth/attempts.py` at the HTTP edge; the
alphabet's 30⁸ ≈ 6.6·10¹¹ codes against a few tries a minute make guessing hopeless.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from tollway.auth import account_table as t
from tollway.auth.account_keys import check_key_terms, clean_key_name, create_account_key
from tollway.auth.store import KeyRecord
from tollway.errors import InvalidRequest, NotFound

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: nothing to misread or mistype
LENGTH = 8
CODE_S = 600
POLL_INTERVAL_S = 5
DEVICE_NAME_MAX = 48


@dataclass(frozen=True)
class KeyTerms:
    """What the key a code gives will be."""

    scopes: tuple[str, ...]
    rpm: int
    cap_micro: int | None = None


@dataclass(frozen=True)
class DeviceGrant:
    device_code: str
    user_code: str
    expires_in: int
    interval: int


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(raw: object) -> str | None:
    """What the user typed (any case, with spaces or a dash) → the code, or None if it cannot be one."""
    if not isinstance(raw, str) or len(raw) > 32:
        return None
    code = "".join(ch for ch in raw.upper() if ch not in " -")
    return code if len(code) == LENGTH and all(ch in ALPHABET for ch in code) else None


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def device_label(raw: object) -> str:
    cleaned = clean_key_name(raw if isinstance(raw, str) else "")[:DEVICE_NAME_MAX]
    return cleaned or "device"


def _key(code: str) -> dict[str, Any]:
    return t.key(f"code#{code}", "code")


def _terms_item(terms: KeyTerms) -> dict[str, Any]:
    item = {"scopes": {"SS": list(terms.scopes)}, "rpm": t.n(terms.rpm)}
    if terms.cap_micro is not None:
        item["cap_micro"] = t.n(terms.cap_micro)
    return item


def _terms_of(item: dict[str, Any]) -> KeyTerms:
    cap = item.get("cap_micro", {}).get("N")
    return KeyTerms(scopes=tuple(sorted(item.get("scopes", {}).get("SS", []))), rpm=t.number(item, "rpm"),
                    cap_micro=int(cap) if cap is not None else None)


def _put_new(fields: dict[str, Any]) -> str:
    ddb = t.ddb()
    for _ in range(5):
        code = new_code()
        try:
            ddb.put_item(TableName=t.table(), Item={**_key(code), **fields},
                         ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                         ExpressionAttributeValues={":now": t.n(int(time.time()))})
            return code
        except ddb.exceptions.ConditionalCheckFailedException:
            continue  # a live code already has these characters: draw again
    raise RuntimeError("could not draw an unused device code")


# -- The console makes a code, the CLI redeems it ------------------------------------------------


def issue_code(account_id: str, user_id: str, terms: KeyTerms) -> tuple[str, int]:
    """(the code, its expiry in epoch seconds)."""
    check_key_terms(terms.scopes, terms.rpm, terms.cap_micro)
    expires_at = int(time.time()) + CODE_S
    code = _put_new({"kind": t.s("grant"), "account_id": t.s(account_id), "user_id": t.s(user_id),
                     "created_at": t.n(int(time.time())), "expires_at": t.n(expires_at), **_terms_item(terms)})
    return code, expires_at


def _unusable(item: dict[str, Any] | None, now: float) -> InvalidRequest:
    if item is None:
        return InvalidRequest("No such code: check what you typed (codes are 8 characters, like ABCD-2345)",
                              code="invalid_code", param="code")
    if t.number(item, "expires_at") <= now:
        return InvalidRequest("This code has expired: make a new one in the console (codes last 10 minutes)",
                              code="expired_code", param="code")
    return InvalidRequest("This code was already used: make a new one in the console", code="used_code", param="code")


def redeem_code(raw: object, device: object) -> tuple[str, KeyRecord]:
    code = normalize(raw)
    if code is None:
        raise _unusable(None, 0)
    now = time.time()
    name = device_label(device)
    ddb = t.ddb()
    try:
        claimed = ddb.update_item(
            TableName=t.table(), Key=_key(code), UpdateExpression="SET used_at = :now, device = :device",
            ConditionExpression="kind = :grant AND attribute_not_exists(used_at) AND expires_at > :now",
            ExpressionAttributeValues={":now": t.n(int(now)), ":device": t.s(name), ":grant": t.s("grant")},
            ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")["Attributes"]
    except ddb.exceptions.ConditionalCheckFailedException as exc:
        old = exc.response.get("Item")
        raise _unusable(old if old and t.text(old, "kind") == "grant" else None, now) from None
    terms = _terms_of(claimed)
    return create_account_key(t.text(claimed, "account_id"), name=name, scopes=terms.scopes, rpm=terms.rpm,
                              cap_micro=terms.cap_micro, device=name)


def cancel_code(raw: str, account_id: str) -> None:
    """Withdraw an unredeemed code of this account; another's, or a used one, is a 404."""
    code = normalize(raw)
    if code is None:
        raise NotFound("No such unused code", code="code_not_found")
    ddb = t.ddb()
    try:
        ddb.delete_item(TableName=t.table(), Key=_key(code),
                        ConditionExpression="kind = :grant AND account_id = :a AND attribute_not_exists(used_at)",
                        ExpressionAttributeValues={":grant": t.s("grant"), ":a": t.s(account_id)})
    except ddb.exceptions.ConditionalCheckFailedException:
        raise NotFound("No such unused code", code="code_not_found") from None


# -- RFC 8628: the CLI asks for a code and polls, the user approves it in the console ---------------


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_device_grant(device: object) -> DeviceGrant:
    secret = secrets.token_urlsafe(32)
    now = int(time.time())
    code = _put_new({"kind": t.s("device"), "status": t.s("pending"), "secret_hash": t.s(_secret_hash(secret)),
                     "device": t.s(device_label(device)), "created_at": t.n(now), "last_poll": t.n(0),
                     "expires_at": t.n(now + CODE_S)})
    return DeviceGrant(device_code=f"{code}.{secret}", user_code=code, expires_in=CODE_S, interval=POLL_INTERVAL_S)


def pending_device(raw: object) -> str | None:
    """The device name waiting behind a user code (for the console to show before approval)."""
    code = normalize(raw)
    item = t.get(f"code#{code}", "code") if code else None
    if (item is None or t.text(item, "kind") != "device" or t.text(item, "status") != "pending"
            or t.number(item, "expires_at") <= time.time()):
        return None
    return t.text(item, "device")


def approve_device_code(raw: object, account_id: str, user_id: str, terms: KeyTerms | None) -> str:
    """Approve (terms given) or deny (None) a waiting device; returns its name."""
    code = normalize(raw)
    if code is None:
        raise _unusable(None, 0)
    if terms is not None:
        check_key_terms(terms.scopes, terms.rpm, terms.cap_micro)
    now = time.time()
    changes = {":status": t.s("approved" if terms else "denied"), ":a": t.s(account_id), ":u": t.s(user_id)}
    extra = ""
    if terms is not None:
        fields = _terms_item(terms)
        changes |= {f":{name}": value for name, value in fields.items()}
        extra = ", " + ", ".join(f"{name} = :{name}" for name in fields)
    ddb = t.ddb()
    try:
        updated = ddb.update_item(
            TableName=t.table(), Key=_key(code),
            UpdateExpression=f"SET #status = :status, account_id = :a, user_id = :u{extra}",
            ConditionExpression="kind = :device AND #status = :pending AND expires_at > :now",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=changes | {":device": t.s("device"), ":pending": t.s("pending"),
                                                 ":now": t.n(int(now))},
            ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")["Attributes"]
    except ddb.exceptions.ConditionalCheckFailedException as exc:
        old = exc.response.get("Item")
        raise _unusable(old if old and t.text(old, "kind") == "device" else None, now) from None
    return t.text(updated, "device")


class DeviceGrantState(Exception):
    """RFC 8628's token errors: authorization_pending, slow_down, access_denied, expired_token, invalid_grant."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(error)
        self.error = error
        self.description = description


def poll_device_grant(device_code: object) -> tuple[str, KeyRecord]:
    """The key, once (the first poll after approval); else a DeviceGrantState saying why not yet."""
    code, _, secret = device_code.partition(".") if isinstance(device_code, str) else ("", "", "")
    code = normalize(code) or ""
    item = t.get(f"code#{code}", "code") if code else None
    if (item is None or t.text(item, "kind") != "device"
            or not hmac.compare_digest(t.text(item, "secret_hash"), _secret_hash(secret))):
        raise DeviceGrantState("invalid_grant", "Unknown device code")
    now = time.time()
    if t.number(item, "expires_at") <= now:
        raise DeviceGrantState("expired_token", "The code expired before it was approved: run the command again")
    status = t.text(item, "status")
    if status == "denied":
        raise DeviceGrantState("access_denied", "The request was denied in the console")
    if status == "issued":
        raise DeviceGrantState("invalid_grant", "This device code's key was already issued")
    ddb = t.ddb()
    if status == "pending":
        try:
            ddb.update_item(TableName=t.table(), Key=_key(code), UpdateExpression="SET last_poll = :now",
                            ConditionExpression="last_poll <= :early",
                            ExpressionAttributeValues={":now": t.n(int(now)),
                                                       ":early": t.n(int(now) - POLL_INTERVAL_S + 1)})
        except ddb.exceptions.ConditionalCheckFailedException:
            raise DeviceGrantState("slow_down", f"Poll at most every {POLL_INTERVAL_S} seconds") from None
        raise DeviceGrantState("authorization_pending", "Waiting for approval in the console")
    try:
        ddb.update_item(TableName=t.table(), Key=_key(code), UpdateExpression="SET #status = :issued",
                        ConditionExpression="#status = :approved", ExpressionAttributeNames={"#status": "status"},
                        ExpressionAttributeValues={":issued": t.s("issued"), ":approved": t.s("approved")})
    except ddb.exceptions.ConditionalCheckFailedException:
        raise DeviceGrantState("invalid_grant", "This device code's key was already issued") from None
    terms = _terms_of(item)
    name = t.text(item, "device")
    return create_account_key(t.text(item, "account_id"), name=name, scopes=terms.scopes, rpm=terms.rpm,
                              cap_micro=terms.cap_micro, device=name)
