"""The admin edge: only the operator's admin key (TOLLWAY_ADMIN_KEY, as a Bearer token) passes."""

from __future__ import annotations

import hmac

from fastapi import Request

from tollway.config import secret
from tollway.errors import AuthenticationFailed


def require_admin(request: Request) -> None:
    configured = secret("TOLLWAY_ADMIN_KEY")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not configured:
        raise AuthenticationFailed("The admin API is disabled: TOLLWAY_ADMIN_KEY is not set")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), configured.encode()):
        raise AuthenticationFailed("Invalid admin key", code="invalid_admin_key")
