"""What an upstream HTTP failure means for our client, decided once for every adapter.

Upstream credentials problems become 502, never 401: the client's key is fine, ours is not, and
the provider's message (which may quote part of our key) is not passed on. Any other message is
passed on only through `redaction.clipped`.
"""

from __future__ import annotations

import json

from tollway.errors import (
    TollwayError,
    ModelNotFound,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
)
from tollway.providers.redaction import MAX_MESSAGE, clipped, redact

__all__ = ["MAX_MESSAGE", "error_for_status", "redact", "upstream_message"]


def upstream_message(body: bytes, *secrets: str | None) -> str:
    """The provider's own message in a JSON error body, redacted and then cut (see redaction.py)."""
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    error = parsed.get("error") if isinstance(parsed, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return clipped(message, *secrets) if isinstance(message, str) else ""


def error_for_status(provider: str, status: int, body: bytes, retry_after: str | None,
                     secret: str | None = None) -> TollwayError:
    message = upstream_message(body, secret)
    if status in (401, 403):
        return UpstreamError(f"{provider} rejected the gateway's credentials; the operator must fix them")
    if status == 404:
        return ModelNotFound(f"{provider}: {message or 'model not found upstream'}")
    if status == 429:
        headers = {"retry-after": retry_after} if retry_after else {}
        return UpstreamRateLimited(f"{provider} is rate limiting the gateway; retry later", headers=headers)
    if 400 <= status < 500:
        return UpstreamRejected(f"{provider} rejected the request: {message or f'HTTP {status}'}")
    return UpstreamError(f"{provider} failed with HTTP {status}")
