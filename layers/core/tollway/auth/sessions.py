"""Console sessions: server-side records with an expiry, named by a cookie the browser cannot read.

    cookie, session = create_session(user, ip="…", user_agent="…")    # at sign-in or sign-up
    read_session(cookie)                      # the Session, or None (unknown, expired, revoked, malformed)
    sessions_of(user_id); revoke(user_id, session.id); revoke_all(user_id)

The cookie is "<user id>.<secret>"; only the secret's SHA-256 is stored (in the user's partition, so
listing and revoking all of them is one Query). A session ends at its absolute expiry
(TOLLWAY_SESSION_SECONDS, 14 days by default), when it is revoked (deleted), or at sign-out. Each
session has its own CSRF token, which every cookie-authenticated write must echo in a header.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from tollway.auth import account_table as t
from tollway.auth.users import is_user_id, partition
from tollway.config import settings

_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")
PUBLIC_ID_LENGTH = 16
USER_AGENT_MAX = 200
# How often a session's `last_seen` is written (a read is not a write on every page).
TOUCH_EVERY_S = 600


@dataclass(frozen=True)
class Session:
    id: str  # public: the first characters of the secret's hash, for listing and revoking
    user_id: str
    csrf: str
    created_at: float
    expires_at: int
    last_seen: float
    ip: str
    user_agent: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Session:
        return cls(id=t.text(item, "sk").removeprefix("session#")[:PUBLIC_ID_LENGTH], user_id=t.text(item, "user_id"),
                   csrf=t.text(item, "csrf"), created_at=float(item["created_at"]["N"]),
                   expires_at=t.number(item, "expires_at"), last_seen=float(item.get("last_seen", item["created_at"])["N"]),
                   ip=t.text(item, "ip"), user_agent=t.text(item, "user_agent"))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_session(user_id: str, *, ip: str, user_agent: str) -> tuple[str, Session]:
    secret = secrets.token_urlsafe(32)
    now = time.time()
    item = {**t.key(partition(user_id), f"session#{_hash(secret)}"), "user_id": t.s(user_id),
            "csrf": t.s(secrets.token_urlsafe(32)), "created_at": t.n(now), "last_seen": t.n(now),
            "expires_at": t.n(int(now + settings().session_s)), "ip": t.s(ip[:64]),
            "user_agent": t.s("".join(c for c in user_agent if c.isprintable())[:USER_AGENT_MAX])}
    t.ddb().put_item(TableName=t.table(), Item=item, ConditionExpression="attribute_not_exists(pk)")
    return f"{user_id}.{secret}", Session.from_item(item)


def _parse(cookie: str) -> tuple[str, str] | None:
    user_id, _, secret = cookie.partition(".")
    return (user_id, secret) if is_user_id(user_id) and _SECRET.match(secret) else None


def read_session(cookie: str | None) -> Session | None:
    parsed = _parse(cookie or "")
    if parsed is None:
        return None
    user_id, secret = parsed
    item = t.get(partition(user_id), f"session#{_hash(secret)}")
    if item is None:
        return None
    session = Session.from_item(item)
    now = time.time()
    if session.expires_at <= now:
        return None
    if now - session.last_seen > TOUCH_EVERY_S:
        _touch(user_id, secret, now)
    return session


def _touch(user_id: str, secret: str, now: float) -> None:
    try:
        t.ddb().update_item(TableName=t.table(), Key=t.key(partition(user_id), f"session#{_hash(secret)}"),
                            UpdateExpression="SET last_seen = :now", ConditionExpression="attribute_exists(pk)",
                            ExpressionAttributeValues={":now": t.n(now)})
    except Exception as exc:  # noqa: BLE001 - a missed `last seen` must never fail the request
        if not t.conditional_failed(exc):
            raise


def sessions_of(user_id: str) -> list[Session]:
    now = time.time()
    found = [Session.from_item(item) for item in t.query_prefix(partition(user_id), "session#")]
    return sorted((s for s in found if s.expires_at > now), key=lambda s: s.created_at, reverse=True)


def end_session(cookie: str | None) -> None:
    """Sign-out: the cookie's own session, whatever state it is in."""
    parsed = _parse(cookie or "")
    if parsed is not None:
        t.ddb().delete_item(TableName=t.table(), Key=t.key(partition(parsed[0]), f"session#{_hash(parsed[1])}"))


def revoke(user_id: str, session_id: str) -> bool:
    """One of the user's sessions, by its public id; False if the user has no such session."""
    if not re.fullmatch(r"[0-9a-f]{%d}" % PUBLIC_ID_LENGTH, session_id):
        return False
    items = t.query_prefix(partition(user_id), f"session#{session_id}")
    for item in items:
        t.ddb().delete_item(TableName=t.table(), Key=t.key(partition(user_id), t.text(item, "sk")))
    return bool(items)


def revoke_all(user_id: str) -> int:
    items = t.query_prefix(partition(user_id), "session#")
    for item in items:
        t.ddb().delete_item(TableName=t.table(), Key=t.key(partition(user_id), t.text(item, "sk")))
    return len(items)
