"""A console user as the API sees one: a browser's cookie jar, its Origin, the page's CSRF token and a
software passkey (tests/fakes/authenticator.py), each user on its own loopback address.

    ada = ConsoleUser(console).sign_up("Ada")
    ada.api("POST", "/keys", {"name": "laptop"})          # Origin + X-CSRF-Token, as the page's script sends
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx

from tests.fakes.authenticator import SoftAuthenticator

_addresses = itertools.count(2)


def next_address() -> str:
    """A fresh loopback source address (127.0.x.y): per-address attempt limits stay per test user."""
    n = next(_addresses)
    return f"127.0.{(n // 250) % 250 + 1}.{n % 250 + 2}"


class Console:
    def __init__(self, url: str, origin: str, admin_key: str) -> None:
        self.url = url
        self.origin = origin
        self.admin = httpx.Client(base_url=url, headers={"authorization": f"Bearer {admin_key}"}, timeout=10)

    def user(self) -> ConsoleUser:
        return ConsoleUser(self)

    def grant(self, account_id: str, credits: str | int, note: str = "") -> httpx.Response:
        return self.admin.post(f"/admin/accounts/{account_id}/credits", json={"amount": credits, "note": note})


class ConsoleUser:
    def __init__(self, console: Console, address: str | None = None) -> None:
        self.console = console
        self.address = address or next_address()
        self.http = httpx.Client(base_url=console.url, transport=httpx.HTTPTransport(local_address=self.address),
                                 headers={"origin": console.origin, "sec-fetch-site": "same-origin"}, timeout=15)
        self.device = SoftAuthenticator(console.origin)
        self.csrf = ""
        self.user: dict[str, Any] = {}

    # -- ceremonies ----------------------------------------------------------------------------------

    def sign_up(self, name: str = "Ada", invite: str = "") -> ConsoleUser:
        started = self.http.post("/console/api/sign-up/options", json={"name": name, "invite": invite})
        assert started.status_code == 200, started.text
        options = started.json()
        done = self.http.post("/console/api/sign-up/verify", json={
            "ceremony": options["ceremony"], "credential": self.device.create(options["publicKey"])})
        assert done.status_code == 200, done.text
        self.user = done.json()["user"]
        return self.reload()

    def sign_in_answer(self, **assertion: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the body sign-in/verify would get, the options it answers) without sending it."""
        started = self.http.post("/console/api/sign-in/options", json={})
        assert started.status_code == 200, started.text
        options = started.json()
        return {"ceremony": options["ceremony"], "credential": self.device.get(options["publicKey"], **assertion)}, options

    def sign_in(self, **assertion: Any) -> httpx.Response:
        answer, _ = self.sign_in_answer(**assertion)
        response = self.http.post("/console/api/sign-in/verify", json=answer)
        if response.status_code == 200:
            self.reload()
        return response

    # -- pages and API -------------------------------------------------------------------------------

    def reload(self) -> ConsoleUser:
        """Read the CSRF token from a page, as the page's script does."""
        page = self.http.get("/console/keys")
        assert page.status_code == 200, page.text
        self.csrf = re.search(r'name="csrf-token" content="([^"]*)"', page.text).group(1)  # type: ignore[union-attr]
        return self

    def api(self, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        sent = {"x-csrf-token": self.csrf} | headers
        return self.http.request(method, f"/console/api{path}", json=body, headers=sent)

    @property
    def account_id(self) -> str:
        return str(self.api("GET", "/account").json()["account"]["id"])

    def create_key(self, name: str = "key", **terms: Any) -> dict[str, Any]:
        created = self.api("POST", "/keys", {"name": name, **terms})
        assert created.status_code == 201, created.text
        return created.json()  # type: ignore[no-any-return]
