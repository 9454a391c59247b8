"""The API key format: `sk-tw-` + a 16-hex-char id + 43 url-safe random chars.

The id is public (admin URLs use it) and lets a request name its DynamoDB item directly, so the
hot path needs no index; only the SHA-256 of the whole key is stored, so a table dump leaks no key.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

PREFIX = "sk-tw-"
ID_LENGTH = 16
_SHAPE = re.compile(r"^sk-tw-[0-9a-f]{16}[A-Za-z0-9_-]{32,128}$")

SCOPES = frozenset({"ai:read", "ai:generate"})  # what self-service (console, device code) keys may hold
# ai:admin writes the Inference API's provider registry, whose providers are called with the
# operator's provider keys: only the operator grants it (the admin API), never a self-service key.
ADMIN_SCOPE = "ai:admin"
OPERATOR_SCOPES = SCOPES | {ADMIN_SCOPE}
DEFAULT_SCOPES = ("ai:read", "ai:generate")
DEFAULT_RPM = 60
# The rate-limit presets of the product sheet (30, 60, 120, 400) are what self-service keys choose
# from; the operator may give a service key anything up to a million requests a minute (16,666/s).
PRESET_RPM = (30, 60, 120, 400)
MIN_RPM, MAX_RPM = 1, 1_000_000


@dataclass(frozen=True)
class KeyRef:
    """What a presented key tells us before any lookup: which item, and the hash to compare."""

    id: str
    hash: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> tuple[str, KeyRef]:
    key_id = secrets.token_hex(ID_LENGTH // 2)
    key = PREFIX + key_id + secrets.token_urlsafe(32)
    return key, KeyRef(key_id, hash_key(key))


def parse_key(key: str) -> KeyRef | None:
    if not _SHAPE.match(key):
        return None
    return KeyRef(key[len(PREFIX) : len(PREFIX) + ID_LENGTH], hash_key(key))


def known_scopes(value: list[str], allowed: frozenset[str] = SCOPES) -> list[str]:
    """The scopes, sorted and without repeats; ValueError naming any not `allowed` (a self-service
    key's scopes by default; the admin API also grants OPERATOR_SCOPES)."""
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(f"unknown scopes {unknown}; known: {sorted(allowed)}")
    return sorted(set(value))
