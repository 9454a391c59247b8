"""What every response gets at the edge: security headers, and CORS — closed unless the operator lists
browser origins in `TOLLWAY_CORS_ORIGINS`.

    app = Edge(app)          # pure ASGI: streams pass through untouched, nothing is buffered

Security headers, unless the app set its own: `X-Content-Type-Options: nosniff`, `X-Frame-Options:
DENY` and `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (the API serves JSON,
streams and files, nothing meant to render or be framed), `Referrer-Policy: no-referrer`, and
`Strict-Transport-Security` when the request came over HTTPS (itself, or as `X-Forwarded-Proto`
says: API Gateway and the Lambda Web Adapter say so).

CORS, for every path but `/admin/` (an admin key never belongs in a browser):
- no `TOLLWAY_CORS_ORIGINS` (the default): no CORS header at all, and a preflight is a 403 — browsers
  refuse cross-origin calls, other clients are unaffected;
- a listed origin (exact `scheme://host[:port]`, or `*` for any): its preflight is a 204 allowing the
  methods the API has and the headers the browser asked for (the API authenticates with a key in a
  header, never a cookie, so no credentials mode is allowed), and its responses carry
  `Access-Control-Allow-Origin` and expose the gateway's own headers (`x-request-id`, credits, rate
  limits…). Preflights are answered here, before routing: deployed, every `/v1` path has an OPTIONS
  route to the health function for this. Any other OPTIONS request is a 204 naming the methods.

Applied once: `tollway serve`'s router wraps everything in an Edge (so its own 404s get the headers
too) and marks the request; a function's own Edge (`create_app`) then lets it through.
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tollway.config import settings

MARK = "tollway.edge"
SECURITY = ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
            (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
            (b"referrer-policy", b"no-referrer"))
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
METHODS = b"GET, POST, DELETE, OPTIONS"
DEFAULT_ALLOWED_HEADERS = b"authorization, content-type, x-api-key, anthropic-version, anthropic-beta"
EXPOSED = (b"x-request-id, x-credits-used, x-credits-reserved, x-model-used, x-fallback-from, x-fallback-depth, "
           b"x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, retry-after, "
           b"x-storage-used-bytes, x-storage-limit-bytes, x-auto-passes")
MAX_AGE = b"600"
HEADER_LIST = re.compile(rb"^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None


def over_https(scope: Scope) -> bool:
    forwarded = (_header(scope, b"x-forwarded-proto") or b"").split(b",")[0].strip().lower()
    return scope.get("scheme") == "https" or forwarded == b"https"


def security_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    return [*SECURITY, HSTS] if over_https(scope) else list(SECURITY)


def allowed_origin(origin: bytes | None, allowed: tuple[str, ...]) -> bytes | None:
    """The Access-Control-Allow-Origin value for this origin, or None when it may not call."""
    if not origin or not allowed:
        return None
    if "*" in allowed:
        return b"*"
    try:
        text = origin.decode("ascii")
    except UnicodeDecodeError:
        return None
    return origin if text in allowed else None


class Edge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get(MARK):
            await self.app(scope, receive, send)
            return
        scope[MARK] = True
        path = str(scope.get("path", ""))
        cors = not path.startswith("/admin/") and path != "/admin"
        allowed = settings().cors_origins if cors else ()
        origin = _header(scope, b"origin")
        granted = allowed_origin(origin, allowed)
        if cors and scope["method"] == "OPTIONS":
            if origin and _header(scope, b"access-control-request-method"):
                await _preflight(scope, send, granted)
            else:  # not a browser's preflight: say what the API allows
                await _answer(send, 204, security_headers(scope) + [(b"allow", METHODS)])
            return
        extra = security_headers(scope)
        if granted is not None:
            extra += [(b"access-control-allow-origin", granted), (b"access-control-expose-headers", EXPOSED)]
        if allowed and granted != b"*":
            extra.append((b"vary", b"Origin"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present or name == b"vary"]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _preflight(scope: Scope, send: Send, granted: bytes | None) -> None:
    headers = security_headers(scope) + [(b"vary", b"Origin")]
    if granted is None:
        body = json.dumps({"error": {
            "message": "This origin may not call the API from a browser: the operator lists the allowed ones in "
                       "TOLLWAY_CORS_ORIGINS", "type": "invalid_request_error", "code": "cors_origin_not_allowed",
            "param": None}}).encode()
        await _answer(send, 403, headers + [(b"content-type", b"application/json")], body)
        return
    asked = (_header(scope, b"access-control-request-headers") or b"").strip()
    allow_headers = asked if asked and HEADER_LIST.match(asked) else DEFAULT_ALLOWED_HEADERS
    await _answer(send, 204, headers + [(b"access-control-allow-origin", granted),
                                        (b"access-control-allow-methods", METHODS),
                                        (b"access-control-allow-headers", allow_headers),
                                        (b"access-control-max-age", MAX_AGE)])


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
