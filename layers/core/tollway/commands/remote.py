"""HTTP calls from the CLI to a gateway, with the gateway's error message (never a trace) on failure.

    body = call("GET", url + "/console/api/whoami", key=key)       # JSON, or exit 1 with the reason
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import httpx

TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class GatewayRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def refused(response: httpx.Response) -> GatewayRefused:
    try:
        error = response.json()["error"]
        return GatewayRefused(response.status_code, str(error.get("code") or ""), str(error.get("message") or ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return GatewayRefused(response.status_code, "", response.text[:300])


def request(method: str, url: str, *, key: str | None = None, json: dict[str, Any] | None = None,
            params: dict[str, str] | None = None) -> Any:
    """The JSON answer; GatewayRefused for a 4xx/5xx; exits when the gateway cannot be reached."""
    headers = {"authorization": f"Bearer {key}"} if key else {}
    try:
        response = httpx.request(method, url, json=json, params=params, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        sys.exit(f"error: cannot reach {url.split('/console')[0].split('/v1')[0]}: {type(exc).__name__}")
    if response.status_code >= 400:
        raise refused(response)
    return response.json() if response.content else None


def fail(exc: GatewayRefused) -> NoReturn:
    hint = ""
    if exc.status == 401:
        hint = "\n(the key was refused: run `tollway auth CODE` with a new code from the console)"
    sys.exit(f"error: {exc.message or f'HTTP {exc.status}'}{hint}")


def call(method: str, url: str, **kwargs: Any) -> Any:
    try:
        return request(method, url, **kwargs)
    except GatewayRefused as exc:
        fail(exc)
