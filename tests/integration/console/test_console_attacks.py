"""Attacks on the console, each refused with nothing changed: a session cookie riding a request from
another origin, a cross-site POST without the CSRF token, a replayed assertion, a lowered sign count
(a cloned authenticator), an assertion made for another origin or RP ID, a ceremony answered twice
or for another purpose, hostile credential JSON, and a key named `<script>` on every page."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tests.fakes.authenticator import b64url
from tests.integration.console.client import Console, ConsoleUser


def key_count(user: ConsoleUser) -> int:
    return len(user.api("GET", "/keys").json()["data"])


def sessions(user: ConsoleUser) -> list[dict[str, Any]]:
    return user.api("GET", "/sessions").json()["data"]  # type: ignore[no-any-return]


def stored_sign_count(console: Console, user: ConsoleUser) -> int:
    from tollway.auth.passkeys import get_passkey

    found = get_passkey(user.user["id"], b64url(user.device.credentials[0].id))
    assert found is not None
    return found.sign_count


def test_a_session_cookie_sent_from_another_origin_changes_nothing(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    for origin in ("http://evil.example", "http://localhost:1", "null", console.origin + ".evil.example"):
        refused = ada.api("POST", "/keys", {"name": "stolen"}, origin=origin)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "cross_origin_request", origin
        read = ada.http.get("/console/api/keys", headers={"origin": origin})
        assert read.status_code == 403
    # The browser's own word for where a request came from is enough to refuse it, even with the token.
    for site in ("cross-site", "same-site"):
        refused = ada.api("POST", "/keys", {"name": "stolen"}, **{"sec-fetch-site": site})
        assert refused.status_code == 403
    assert key_count(ada) == 0


def test_a_cross_site_post_without_the_csrf_token_changes_nothing(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    ada.create_key("mine")
    before = ada.api("GET", "/keys").json()["data"]
    # A form post from another site cannot set headers; the cookie alone does nothing.
    for headers in ({}, {"x-csrf-token": ""}, {"x-csrf-token": "wrong"}, {"x-csrf-token": ada.csrf + "x"}):
        bare = ada.http.post("/console/api/keys", json={"name": "forged"}, headers={"x-csrf-token": "", **headers})
        assert bare.status_code == 403 and bare.json()["error"]["code"] == "csrf_token_invalid"
        gone = ada.http.delete(f"/console/api/keys/{before[0]['id']}", headers={"x-csrf-token": "", **headers})
        assert gone.status_code == 403
        out = ada.http.post("/console/api/sessions/revoke-all", headers={"x-csrf-token": "", **headers})
        assert out.status_code == 403
    # Another user's token does not fit this session either.
    eve = console.user().sign_up("Eve")
    assert ada.api("POST", "/keys", {"name": "forged"}, **{"x-csrf-token": eve.csrf}).status_code == 403
    assert ada.api("GET", "/keys").json()["data"] == before and len(sessions(ada)) == 1


def test_a_replayed_assertion_is_refused(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    answer, _ = ada.sign_in_answer()
    assert ada.http.post("/console/api/sign-in/verify", json=answer).status_code == 200
    ada.reload()
    count = stored_sign_count(console, ada)
    attacker = console.user()
    replayed = attacker.http.post("/console/api/sign-in/verify", json=answer)
    assert replayed.status_code == 400 and replayed.json()["error"]["code"] == "ceremony_expired"
    # The same assertion under a fresh ceremony: its signed challenge is the old one.
    fresh = attacker.http.post("/console/api/sign-in/options", json={}).json()
    moved = attacker.http.post("/console/api/sign-in/verify", json={**answer, "ceremony": fresh["ceremony"]})
    assert moved.status_code == 401 and moved.json()["error"]["code"] == "passkey_rejected"
    assert "tollway_session" not in attacker.http.cookies
    assert len(sessions(ada)) == 1 and stored_sign_count(console, ada) == count


def test_a_lowered_sign_count_is_refused(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    assert ada.sign_in().status_code == 200 and ada.sign_in().status_code == 200
    count = stored_sign_count(console, ada)
    assert count == 2
    clone = console.user()
    clone.device = ada.device
    for lowered in (count, count - 1, 0):  # a cloned authenticator's counter lags the original's
        refused = clone.sign_in(sign_count=lowered)
        assert refused.status_code == 401 and "sign count" in refused.json()["error"]["message"], lowered
    assert "tollway_session" not in clone.http.cookies
    assert stored_sign_count(console, ada) == count and len(sessions(ada)) == 1


@pytest.mark.parametrize("forged", ["origin", "rp_id", "user_handle", "unverified", "signature"])
def test_an_assertion_for_another_origin_rp_or_user_or_without_verification_is_refused(console: Console,
                                                                                        forged: str) -> None:
    ada = console.user().sign_up("Ada")
    eve = console.user().sign_up("Eve")
    attacker = console.user()
    attacker.device = ada.device
    assertion: dict[str, Any] = {"origin": {"origin": "http://evil.example"}, "rp_id": {"rp_id": "evil.example"},
                                 "user_handle": {"user_handle": eve.user["id"].encode()}}.get(forged, {})
    if forged == "unverified":
        ada.device.user_verified = False
    answer, _ = attacker.sign_in_answer(**assertion)
    ada.device.user_verified = True
    if forged == "signature":
        answer["credential"]["response"]["signature"] = b64url(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    refused = attacker.http.post("/console/api/sign-in/verify", json=answer)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "passkey_rejected", refused.text
    assert "tollway_session" not in attacker.http.cookies
    assert len(sessions(ada)) == 1 and len(sessions(eve)) == 1


def test_a_registration_for_another_origin_or_a_reused_ceremony_makes_no_user(console: Console) -> None:
    mallory = console.user()
    started = mallory.http.post("/console/api/sign-up/options", json={"name": "Mallory"}).json()
    forged = mallory.device.create(started["publicKey"], origin="http://evil.example")
    refused = mallory.http.post("/console/api/sign-up/verify", json={"ceremony": started["ceremony"], "credential": forged})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "passkey_rejected"
    again = mallory.http.post("/console/api/sign-up/verify", json={
        "ceremony": started["ceremony"], "credential": mallory.device.create(started["publicKey"])})
    assert again.status_code == 400 and again.json()["error"]["code"] == "ceremony_expired"
    # A sign-in ceremony cannot finish a sign-up.
    sign_in = mallory.http.post("/console/api/sign-in/options", json={}).json()
    crossed = mallory.http.post("/console/api/sign-up/verify", json={
        "ceremony": sign_in["ceremony"], "credential": mallory.device.create(started["publicKey"])})
    assert crossed.status_code == 400 and "tollway_session" not in mallory.http.cookies


def _mutations(credential: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path in (("response", "clientDataJSON"), ("response", "authenticatorData"), ("response", "signature"),
                 ("response", "userHandle"), ("id",), ("rawId",), ("type",), ("response",)):
        for value in (None, "", "!!!", 12, [], {}, "A" * 5000, b64url(b"\x00" * 40)):
            mutated = copy.deepcopy(credential)
            target = mutated
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value
            found.append(mutated)
    return found


def test_hostile_credential_json_is_a_4xx_never_a_500(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    attacker = console.user()
    attacker.device = ada.device
    answer, _ = attacker.sign_in_answer()
    for index, mutated in enumerate(_mutations(answer["credential"])):
        if index % 20 == 19:
            attacker = console.user()  # a new address: each may ask for 30 sign-in prompts a minute
        fresh = attacker.http.post("/console/api/sign-in/options", json={}).json()
        status = attacker.http.post("/console/api/sign-in/verify",
                                    json={"ceremony": fresh["ceremony"], "credential": mutated}).status_code
        assert status in (400, 401), (status, mutated)
        assert "tollway_session" not in attacker.http.cookies
    for body in ({}, {"ceremony": 1, "credential": {}}, {"ceremony": "x", "credential": "y"}, [1], "null"):
        response = attacker.http.post("/console/api/sign-in/verify", json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
    assert "tollway_session" not in attacker.http.cookies and len(sessions(ada)) == 1


def test_a_key_named_script_is_rendered_as_text_on_every_page(console: Console) -> None:
    hostile = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    ada = console.user().sign_up(hostile)
    ada.create_key(hostile)
    for path in ("/console/keys", "/console/usage", "/console/playground", "/console/devices", "/console/account",
                 "/console/operations"):
        page = ada.http.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
        assert re.findall(r"<script\b[^>]*>", page.text) == ['<script src="/console/static/console.js" defer>'], path
        assert "content-security-policy" in page.headers and "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in ada.http.get("/console/keys").text
