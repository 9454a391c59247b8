"""Who is signed in, and whether this request may act for them.

    who = signed_in(request)         # SignedIn(session, user) or None (pages redirect to sign-in)
    who = require_session(request)   # reads: a 401 without a live session, a 403 from another site
    who = require_write(request)     # writes: also the session's CSRF token in X-CSRF-Token
    same_origin(request)             # the sign-in and sign-up ceremonies (no session yet)

The cookie is HttpOnly and SameSite=Lax (Secure, and named with the __Host- prefix, over https), so
other sites' pages never send it with a POST. What SameSite cannot stop — a page of the same site on
another port or subdomain, an old browser — the checks here do: a write must carry the session's
CSRF token (which only our own pages know, from their <meta>), and any request whose Origin is not
the console's, or whose Sec-Fetch-Site says another origin made it, is refused before anything runs.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Request, Response

from tollway.auth.sessions import Session, read_session
from tollway.auth.users import User, get_user
from tollway.config import settings
from tollway.errors import AuthenticationFailed, PermissionDenied
from tollway.http.console.origin import expected_origin, served_over_https

COOKIE = "tollway_session"
SECURE_COOKIE = "__Host-tollway_session"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class SignedIn:
    session: Session
    user: User


def cookie_name(request: Request) -> str:
    return SECURE_COOKIE if served_over_https(request) else COOKIE


def session_cookie(request: Request) -> str | None:
    return request.cookies.get(cookie_name(request))


def signed_in(request: Request) -> SignedIn | None:
    cached = request.scope.get("tollway.signed_in")
    if isinstance(cached, SignedIn):
        return cached
    session = read_session(session_cookie(request))
    user = get_user(session.user_id) if session else None
    if session is None or user is None:
        return None
    who = SignedIn(session, user)
    request.scope["tollway.signed_in"] = who
    return who


def same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is not None and origin != expected_origin(request):
        raise PermissionDenied("Requests to the console API must come from the console's own pages",
                               code="cross_origin_request")
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise PermissionDenied("Requests to the console API must come from the console's own pages",
                               code="cross_origin_request")


def require_session(request: Request) -> SignedIn:
    same_origin(request)
    who = signed_in(request)
    if who is None:
        raise AuthenticationFailed("Sign in to the console first (or your session has ended)", code="not_signed_in")
    return who


def require_write(request: Request) -> SignedIn:
    who = require_session(request)
    token = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(token.encode(), who.session.csrf.encode()):
        raise PermissionDenied("This request lacks the page's CSRF token: reload the page and try again",
                               code="csrf_token_invalid")
    return who


def set_session_cookie(response: Response, request: Request, value: str) -> None:
    response.set_cookie(cookie_name(request), value, max_age=settings().session_s, path="/", httponly=True,
                        samesite="lax", secure=served_over_https(request))


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(cookie_name(request), path="/", httponly=True, samesite="lax",
                           secure=served_over_https(request))
