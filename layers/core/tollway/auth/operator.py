"""The operator: whoever presents TOLLWAY_ADMIN_KEY (compared in constant time).

    if is_operator(caller.key): ...       # every key's usage, the provider registry's writes

The admin key is no API key (it has no item, no balance, no scopes): it is checked before the
caller's key is parsed, and never charged.
"""

from __future__ import annotations

import hmac

from tollway.config import secret


def is_operator(key: str) -> bool:
    configured = secret("TOLLWAY_ADMIN_KEY")
    return bool(configured) and hmac.compare_digest(key.encode(), configured.encode())  # type: ignore[union-attr]
