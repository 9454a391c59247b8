"""Sign-up, sign-in, sessions and passkeys: a user is made with a passkey and an account, signs in
with it, and manages their sessions and passkeys."""

from __future__ import annotations

from tests.fakes.authenticator import b64url
from tests.integration.console.client import Console, ConsoleUser


def test_sign_up_makes_a_user_with_a_passkey_an_account_and_a_session(console: Console) -> None:
    ada = console.user().sign_up("Ada Lovelace")
    me = ada.api("GET", "/account").json()
    assert me["user"]["name"] == "Ada Lovelace" and me["user"]["id"].startswith("usr_")
    assert me["account"]["id"].startswith("acct_") and me["account"]["credits"] == 0 and me["grants"] == []
    cookie = next(c for c in ada.http.cookies.jar if c.name == "tollway_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and not cookie.secure
    passkeys = ada.api("GET", "/passkeys").json()["data"]
    assert [p["id"] for p in passkeys] == [b64url(ada.device.credentials[0].id)]


def test_signing_in_with_the_passkey_gives_a_new_session_cookie(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    first = ada.http.cookies["tollway_session"]
    signed_in = ada.sign_in()
    assert signed_in.status_code == 200, signed_in.text
    second = ada.http.cookies["tollway_session"]
    assert second != first
    # The old cookie's session ended when the new one began.
    stale = console.user()
    stale.http.cookies.set("tollway_session", first)
    assert stale.http.get("/console/api/account").status_code == 401
    assert len(ada.api("GET", "/sessions").json()["data"]) == 1


def test_sessions_are_listed_and_one_or_all_can_be_signed_out(console: Console) -> None:
    laptop = console.user().sign_up("Grace")
    phone = ConsoleUser(console)
    phone.device = laptop.device  # the same passkey, synced to another device
    assert phone.sign_in().status_code == 200
    listed = laptop.api("GET", "/sessions").json()["data"]
    assert len(listed) == 2 and sum(s["current"] for s in listed) == 1
    other = next(s for s in listed if not s["current"])
    assert other["ip"] == phone.address and other["user_agent"]
    assert laptop.api("DELETE", f"/sessions/{other['id']}").status_code == 204
    assert phone.http.get("/console/api/account").status_code == 401
    assert laptop.api("GET", "/account").status_code == 200
    assert laptop.api("DELETE", f"/sessions/{other['id']}").status_code == 404
    ended = laptop.api("POST", "/sessions/revoke-all")
    assert ended.status_code == 200 and ended.json()["ended"] == 1
    assert laptop.http.get("/console/api/account").status_code == 401


def test_sign_out_ends_the_session_and_clears_the_cookie(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    cookie = ada.http.cookies["tollway_session"]
    out = ada.api("POST", "/sign-out")
    assert out.status_code == 200 and "tollway_session=\"\"" in out.headers["set-cookie"].replace("=;", "=\"\";")
    replay = console.user()
    replay.http.cookies.set("tollway_session", cookie)
    assert replay.http.get("/console/api/account").status_code == 401
    assert ada.http.get("/console/keys", follow_redirects=False).status_code == 303


def test_a_user_adds_passkeys_and_can_never_remove_the_last_one(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    started = ada.api("POST", "/passkeys/options")
    assert started.status_code == 200
    options = started.json()
    assert [c["id"] for c in options["publicKey"]["excludeCredentials"]] == [b64url(ada.device.credentials[0].id)]
    added = ada.api("POST", "/passkeys", {"ceremony": options["ceremony"], "passkey_name": "YubiKey",
                                          "credential": ada.device.create(options["publicKey"])})
    assert added.status_code == 201 and added.json()["name"] == "YubiKey"
    keys = ada.api("GET", "/passkeys").json()["data"]
    assert len(keys) == 2
    # The new passkey signs in.
    assert ada.sign_in(credential=ada.device.credentials[1]).status_code == 200
    assert ada.api("DELETE", f"/passkeys/{keys[0]['id']}").status_code == 204
    last = ada.api("DELETE", f"/passkeys/{keys[1]['id']}")
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_passkey"
    assert ada.api("DELETE", "/passkeys/AAAA").status_code == 404


def test_sign_up_can_be_open_by_invite_only_or_closed(console: Console) -> None:
    from tests.environment import changed_environment

    with changed_environment(TOLLWAY_SIGNUP="closed"):
        closed = console.user().http.post("/console/api/sign-up/options", json={"name": "Ada"})
        assert closed.status_code == 403 and closed.json()["error"]["code"] == "signup_closed"
        assert "Sign-up is closed" in console.user().http.get("/console/sign-up").text
    with changed_environment(TOLLWAY_SIGNUP="invite"):
        needs = console.user().http.post("/console/api/sign-up/options", json={"name": "Ada"})
        assert needs.status_code == 400 and needs.json()["error"]["code"] == "invite_required"
        wrong = console.user().http.post("/console/api/sign-up/options", json={"name": "Ada", "invite": "inv_nope"})
        assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_invite"
        made = console.admin.post("/admin/invites", json={"uses": 1, "note": "for Ada"})
        assert made.status_code == 201 and made.json()["code"].startswith("inv_")
        invite = made.json()["code"]
        ada = console.user().sign_up("Ada", invite=invite)
        assert ada.api("GET", "/account").status_code == 200
        used = console.user().http.post("/console/api/sign-up/options", json={"name": "Eve", "invite": invite})
        assert used.status_code == 400 and used.json()["error"]["code"] == "invalid_invite"
    assert console.admin.post("/admin/invites", json={"uses": 0}).status_code == 400
    assert console.user().http.post("/admin/invites", json={}).status_code == 401


def test_a_user_asking_for_sign_in_prompts_without_end_is_slowed_down(console: Console) -> None:
    from tests.conftest import fresh_rate_window

    fresh_rate_window(5)  # attempts are counted per clock minute: all 31 in the same one
    spammer = console.user()
    statuses = [spammer.http.post("/console/api/sign-in/options", json={}).status_code for _ in range(31)]
    assert statuses == [200] * 30 + [429]
    assert console.user().http.post("/console/api/sign-in/options", json={}).status_code == 200


def test_pages_need_a_session_and_send_back_after_sign_in(console: Console) -> None:
    visitor = console.user()
    for path in ("/console/keys", "/console/usage?days=30", "/console/playground", "/console/operations",
                 "/console/devices", "/console/account", "/console/device?code=ABCD-2345"):
        page = visitor.http.get(path)
        assert page.status_code == 303 and "/console/sign-in?next=" in page.headers["location"], path
    assert visitor.http.get("/console").headers["location"] == "/console/sign-in"
    assert visitor.http.get("/console/sign-in").status_code == 200
    assert visitor.http.get("/console/api/keys").status_code == 401
    assert visitor.http.get("/console/static/console.js").headers["content-type"].startswith("text/javascript")
    assert visitor.http.get("/console/static/..%2Fpages.py").status_code == 404
    assert visitor.http.get("/console/nothing-here").status_code == 404
