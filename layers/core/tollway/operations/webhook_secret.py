"""Each key's webhook signing secret, derived from one master secret so keys cannot forge each
other's webhooks and nothing per key has to be stored.

    secret = webhook_secret(key_id)         # "whsec_9f2c…" (what GET /v1/webhooks/secret returns)
    sign(secret.encode(), timestamp, body)  # the HMAC key is the secret string itself, as UTF-8

    whsec_<hex(HMAC-SHA256(TOLLWAY_WEBHOOK_SECRET, "tollway-webhook:" + key_id))>

Rotating TOLLWAY_WEBHOOK_SECRET rotates every key's secret. It comes from the environment or the
provider secret (Secrets Manager), like provider credentials; `tollway serve` makes one and keeps
it in its data directory.
"""

from __future__ import annotations

import hashlib
import hmac

from tollway.config import secret
from tollway.errors import ProviderNotConfigured

MASTER = "TOLLWAY_WEBHOOK_SECRET"
PREFIX = "whsec_"


def _master() -> str:
    master = secret(MASTER)
    if not master:
        raise ProviderNotConfigured(f"Webhooks are not configured: the operator must set {MASTER}",
                                    code="webhooks_not_configured")
    return master


def require_configured() -> None:
    """503 unless webhooks can be signed: checked when a request asks for one."""
    _master()


def webhook_secret(key_id: str) -> str:
    master = _master()
    digest = hmac.new(master.encode(), f"tollway-webhook:{key_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest
