"""Self-service keys and the account's credits: keys are made with a preset rate and an optional cap,
their secret shown once; the operator grants credits to the account (admin API), which the console
shows with their history; keys made with the admin key outside any account work as before."""

from __future__ import annotations

from decimal import Decimal

import httpx

from tests.conftest import bearer
from tests.integration.console.client import Console

CHAT = {"model": "local/echo", "messages": [{"role": "user", "content": "hi"}]}


def test_a_key_is_made_with_a_preset_and_a_cap_and_its_secret_is_shown_once(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    created = ada.create_key("backend", scopes=["ai:generate"], rpm=120, cap="2.5")
    assert created["key"].startswith(f"sk-tw-{created['id']}") and created["prefix"] == f"sk-tw-{created['id']}…"
    assert created["scopes"] == ["ai:generate"] and created["rpm"] == 120 and created["cap"] == 2.5
    assert created["spent"] == 0 and created["revoked_at"] is None
    listed = ada.api("GET", "/keys").json()["data"]
    assert [k["id"] for k in listed] == [created["id"]] and "key" not in listed[0]
    assert created["key"] not in ada.http.get("/console/keys").text
    # The admin API sees the key as one of the account's.
    shown = console.admin.get(f"/admin/keys/{created['id']}").json()
    assert shown["account_id"] == ada.account_id and shown["cap"] == 2.5 and shown["credits"] == 0


def test_a_key_outside_the_presets_or_with_unknown_scopes_is_a_400(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    for terms, param in (({"rpm": 100}, "rpm"), ({"scopes": ["ai:admin"]}, "scopes"), ({"cap": "0"}, "cap"),
                         ({"cap": "1.0000001"}, "cap"), ({"name": ""}, "name"), ({"name": "x" * 65}, "name"),
                         ({"surprise": 1}, "surprise")):
        refused = ada.api("POST", "/keys", {"name": "k", **terms})
        assert refused.status_code == 400, (terms, refused.text)
        assert refused.json()["error"]["param"] == param, refused.json()
    not_json = ada.http.post("/console/api/keys", content=b"{", headers={"x-csrf-token": ada.csrf,
                                                                        "content-type": "application/json"})
    assert not_json.status_code == 400
    assert ada.api("GET", "/keys").json()["data"] == []


def test_a_revoked_key_is_refused_at_once(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    key = ada.create_key("temp")
    assert ada.api("DELETE", f"/keys/{key['id']}").status_code == 204
    refused = httpx.post(f"{console.url}/v1/chat/completions", json=CHAT, headers=bearer(key["key"]))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "revoked_api_key"
    assert ada.api("GET", "/keys").json()["data"][0]["revoked_at"]


def test_the_operator_grants_credits_that_the_console_shows_with_their_history(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    account = ada.account_id
    granted = console.grant(account, "12.5", note="welcome")
    assert granted.status_code == 200 and granted.json() == {"id": account, "credits": 12.5}
    assert console.grant(account, "-2.5", note="correction").json()["credits"] == 10
    below = console.grant(account, "-11")
    assert below.status_code == 400 and below.json()["error"]["code"] == "insufficient_balance"
    me = ada.api("GET", "/account").json()
    assert me["account"]["credits"] == 10
    assert [(g["amount"], g["note"]) for g in me["grants"]] == [(-2.5, "correction"), (12.5, "welcome")]
    page = ada.http.get("/console/account").text
    assert "welcome" in page and "correction" in page
    shown = console.admin.get(f"/admin/accounts/{account}").json()
    assert shown["credits"] == 10 and shown["owner"] == ada.user["id"] and shown["keys"] == {"active": 0, "revoked": 0}


def test_granting_to_a_missing_account_or_with_a_bad_amount_is_a_4xx(console: Console) -> None:
    assert console.grant("acct_0000000000000000", 1).status_code == 404
    assert console.grant("acct_../../etc", 1).status_code == 404
    assert console.grant("0123456789abcdef", 1).status_code == 404  # a key id is no account
    ada = console.user().sign_up("Ada")
    for amount in ("abc", "1e400", "0.0000001", True, 0):
        assert console.grant(ada.account_id, amount).status_code == 400, amount  # type: ignore[arg-type]
    # An account is credited with its history, never as a key.
    assert console.admin.post(f"/admin/keys/{ada.account_id}/credits", json={"amount": 1}).status_code == 404
    assert console.admin.get(f"/admin/keys/{ada.account_id}").status_code == 404
    assert console.admin.get("/admin/accounts/acct_0000000000000000").status_code == 404
    without_admin = httpx.post(f"{console.url}/admin/accounts/{ada.account_id}/credits", json={"amount": 1})
    assert without_admin.status_code == 401


def test_keys_made_with_the_admin_key_outside_any_account_work_as_before(console: Console, admin) -> None:  # type: ignore[no-untyped-def]
    key = admin.create_key(credits=1)
    assert "account_id" not in key
    answered = httpx.post(f"{console.url}/v1/chat/completions", json=CHAT, headers=bearer(key))
    assert answered.status_code == 200
    assert admin.balance(key["id"]) < Decimal(1)
