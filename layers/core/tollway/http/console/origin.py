"""Where the console is: its origin (what WebAuthn and the same-origin checks compare with), the path
prefix it is served under, and who is calling.

    relying_party(request)     # RelyingParty(origin, rp_id, name) for the ceremonies
    console_url(request, "/console/keys")   # a link that works under API Gateway's stage prefix too

The origin is TOLLWAY_CONSOLE_ORIGIN when set (`tollway serve` sets http://localhost:<port>), else the
request's own scheme and host: API Gateway answers only for its own host names, and a passkey made
for one host is never offered to a page of another, so a forged Host header only ever reaches the
forger's own passkeys.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from tollway.auth.ceremonies import RelyingParty
from tollway.config import settings


def expected_origin(request: Request) -> str:
    configured = settings().console_origin
    if configured:
        return configured
    host = request.headers.get("host") or "localhost"
    return f"{request.url.scheme}://{host}"


def relying_party(request: Request) -> RelyingParty:
    origin = expected_origin(request)
    return RelyingParty(origin=origin, rp_id=urlsplit(origin).hostname or "localhost", name=settings().rp_name)


def served_over_https(request: Request) -> bool:
    return expected_origin(request).startswith("https://")


def mount_prefix(request: Request) -> str:
    """API Gateway's stage ("/prod") when the browser's path carries one that the function's does not."""
    event = request.scope.get("aws.event")
    if not isinstance(event, dict):
        return ""
    outer = str((event.get("requestContext") or {}).get("path") or "")
    inner = request.url.path
    return outer[: -len(inner)] if inner and outer.endswith(inner) and outer != inner else ""


def console_url(request: Request, path: str) -> str:
    return mount_prefix(request) + path


def client_ip(request: Request) -> str:
    """The peer API Gateway (or the local server) saw; never a header the client wrote itself."""
    return request.client.host if request.client else "unknown"
