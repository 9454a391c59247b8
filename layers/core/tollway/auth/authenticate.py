"""Key checks for requests that spend nothing (model listing, reading files and operations).

A short in-process cache (TOLLWAY_KEY_CACHE_TTL, 5 s by default) makes a warm function answer
without DynamoDB, so a revoked key may still READ for up to that TTL after its revocation. It can
never write: admission checks revocation in its own conditional write, and so does every other
write a key makes (files, uploads, the storage counter — see `auth/standing.py`).
"""

from __future__ import annotations

import threading
import time

from tollway.auth.keys import KeyRef, parse_key
from tollway.auth.store import KeyRecord, get_key
from tollway.config import settings
from tollway.errors import AuthenticationFailed, NotFound, PermissionDenied, TollwayError

_cache: dict[str, tuple[float, KeyRecord | None]] = {}
_lock = threading.Lock()
MAX_ENTRIES = 10_000


def authenticate(key: str, scope: str) -> KeyRecord:
    ref = parse_key(key)
    if ref is None:
        raise AuthenticationFailed("Invalid API key")
    now = time.monotonic()
    cached = _cache.get(ref.hash)
    if cached is not None and cached[0] > now:
        record = cached[1]
    else:
        try:
            found: KeyRecord | None = get_key(ref.id, consistent=False)
        except NotFound:
            found = None
        record = found if found is not None and found.key_hash == ref.hash else None
        with _lock:
            if len(_cache) >= MAX_ENTRIES:
                _cache.clear()
            _cache[ref.hash] = (now + settings().key_cache_ttl_s, record)
    return _standing(record, scope)


def authenticate_fresh(key: str, scope: str) -> KeyRecord:
    """The same checks against the key's item as it is now (a consistent read, no cache): for the rare
    calls that must see a revocation at once (`tollway whoami` after a key was revoked)."""
    ref = parse_key(key)
    if ref is None:
        raise AuthenticationFailed("Invalid API key")
    try:
        found: KeyRecord | None = get_key(ref.id, consistent=True)
    except NotFound:
        found = None
    return _standing(found if found is not None and found.key_hash == ref.hash else None, scope)


def _standing(record: KeyRecord | None, scope: str) -> KeyRecord:
    if record is None:
        raise AuthenticationFailed("Invalid API key")
    if record.revoked_at:
        raise AuthenticationFailed("This API key has been revoked", code="revoked_api_key")
    if scope not in record.scopes:
        raise PermissionDenied(f"This API key lacks the scope {scope!r}")
    return record


def forget_cached_keys() -> None:
    with _lock:
        _cache.clear()


def key_ref(key: str) -> KeyRef:
    """What a presented key names (its id and hash), or a 401 if it is not shaped like one of ours."""
    ref = parse_key(key)
    if ref is None:
        raise AuthenticationFailed("Invalid API key")
    return ref


async def refuse_after_auth(key: str, scope: str, error: TollwayError) -> TollwayError:
    """A model or provider problem is told only to a valid key: 401/403 come first."""
    import anyio

    await anyio.to_thread.run_sync(authenticate, key, scope)
    return error
