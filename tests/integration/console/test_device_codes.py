"""Device codes: a code made in the console gives the CLI one key named and scoped for its device; the
RFC 8628 flow gives a key once approved in the console; wrong, expired and used codes say so; codes
cannot be brute-forced."""

from __future__ import annotations

import re

import httpx

from tests.integration.console.client import Console, ConsoleUser, next_address


def cli(console: Console, address: str | None = None) -> httpx.Client:
    """What the CLI sends: no cookie, no Origin (each test's CLI on its own loopback address)."""
    return httpx.Client(base_url=console.url, transport=httpx.HTTPTransport(local_address=address or next_address()),
                        timeout=10)


def make_code(user: ConsoleUser, **terms: object) -> str:
    made = user.api("POST", "/device-codes", terms)
    assert made.status_code == 201, made.text
    body = made.json()
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", body["code"]) and body["expires_in"] == 600
    assert body["command"] == f"tollway auth {body['code']}"
    return str(body["code"])


def expire(code: str) -> None:
    from tollway.auth import account_table as t

    t.ddb().update_item(TableName=t.table(), Key=t.key(f"code#{code.replace('-', '')}", "code"),
                        UpdateExpression="SET expires_at = :past", ExpressionAttributeValues={":past": t.n(1)})


def test_a_device_code_gives_one_key_named_and_scoped_for_the_device(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    code = make_code(ada, scopes=["ai:read"], rpm=30, cap="5")
    issued = cli(console).post("/console/api/device/redeem", json={"code": code.lower(), "device_name": "build box"})
    assert issued.status_code == 201, issued.text
    key = issued.json()
    assert key["name"] == "build box" and key["device"] == "build box" and key["scopes"] == ["ai:read"]
    assert key["rpm"] == 30 and key["cap"] == 5 and key["account_id"] == ada.account_id
    assert key["key"].startswith(f"sk-tw-{key['id']}")
    again = cli(console).post("/console/api/device/redeem", json={"code": code, "device_name": "thief"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "used_code"
    devices = ada.http.get("/console/devices").text
    assert "build box" in devices and key["id"] in devices
    me = httpx.get(f"{console.url}/console/api/whoami", headers={"authorization": f"Bearer {key['key']}"})
    assert me.status_code == 200 and me.json()["key"]["id"] == key["id"] and me.json()["account"]["id"] == ada.account_id


def test_wrong_expired_used_and_withdrawn_codes_get_a_clear_message(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    client = cli(console)
    for raw, code in (("ZZZZ-ZZZZ", "invalid_code"), ("0O1I-LU00", "invalid_code"), ("", "invalid_value"),
                      ("A" * 40, "invalid_value")):
        refused = client.post("/console/api/device/redeem", json={"code": raw})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == code, (raw, refused.text)
    stale = make_code(ada)
    expire(stale)
    refused = cli(console).post("/console/api/device/redeem", json={"code": stale})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "expired_code"
    assert "expired" in refused.json()["error"]["message"]
    withdrawn = make_code(ada)
    assert ada.api("DELETE", f"/device-codes/{withdrawn}").status_code == 204
    gone = cli(console).post("/console/api/device/redeem", json={"code": withdrawn})
    assert gone.status_code == 400 and gone.json()["error"]["code"] == "invalid_code"
    eve = console.user().sign_up("Eve")
    theirs = make_code(ada)
    assert eve.api("DELETE", f"/device-codes/{theirs}").status_code == 404
    assert ada.api("GET", "/keys").json()["data"] == []


def test_a_brute_forced_device_code_is_stopped_after_a_few_attempts(console: Console) -> None:
    from tests.conftest import fresh_rate_window

    ada = console.user().sign_up("Ada")
    real = make_code(ada)
    fresh_rate_window(5)  # attempts are counted per clock minute: all of them in the same one
    attacker = cli(console)
    statuses = [attacker.post("/console/api/device/redeem", json={"code": guess}).status_code
                for guess in ("AAAA-AAAA", "AAAA-AAAB", "AAAA-AAAC", "AAAA-AAAD", "AAAA-AAAE", "AAAA-AAAF")]
    assert statuses == [400] * 5 + [429]
    # Past the limit, even the right code is refused from that address, with when to try again.
    blocked = attacker.post("/console/api/device/redeem", json={"code": real})
    assert blocked.status_code == 429 and 1 <= int(blocked.headers["retry-after"]) <= 60
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    # One code hammered from many addresses is stopped too.
    target = "BBBB-BBBB"
    per_code = [cli(console).post("/console/api/device/redeem", json={"code": target}).status_code for _ in range(6)]
    assert per_code == [400] * 5 + [429]
    assert ada.api("GET", "/keys").json()["data"] == []
    # The code still works for its owner's device, from another address.
    assert cli(console).post("/console/api/device/redeem", json={"code": real}).status_code == 201


def test_the_device_flow_gives_a_key_once_after_approval_in_the_console(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    device = cli(console)
    grant = device.post("/console/api/device/authorize", json={"device_name": "ci-runner"}).json()
    assert grant["verification_uri"] == f"{console.origin}/console/device" and grant["interval"] == 5
    assert grant["verification_uri_complete"].endswith(f"?code={grant['user_code']}")
    poll = {"device_code": grant["device_code"]}
    assert device.post("/console/api/device/token", json=poll).json()["error"]["code"] == "authorization_pending"
    assert device.post("/console/api/device/token", json=poll).json()["error"]["code"] == "slow_down"
    page = ada.http.get(f"/console/device?code={grant['user_code']}")
    assert page.status_code == 200 and "ci-runner" in page.text
    approved = ada.api("POST", "/device/approve", {"code": grant["user_code"], "scopes": ["ai:generate"], "rpm": 400})
    assert approved.status_code == 200 and approved.json() == {"device": "ci-runner", "approved": True}
    issued = device.post("/console/api/device/token", json=poll)
    assert issued.status_code == 200 and issued.json()["name"] == "ci-runner" and issued.json()["rpm"] == 400
    assert issued.json()["account_id"] == ada.account_id and issued.json()["scopes"] == ["ai:generate"]
    twice = device.post("/console/api/device/token", json=poll)
    assert twice.status_code == 400 and twice.json()["error"]["code"] == "invalid_grant"
    again = ada.api("POST", "/device/approve", {"code": grant["user_code"]})
    assert again.status_code == 400


def test_a_denied_expired_or_forged_device_code_gives_no_key(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    device = cli(console)
    denied = device.post("/console/api/device/authorize", json={}).json()
    assert ada.api("POST", "/device/approve", {"code": denied["user_code"], "approve": False}).status_code == 200
    answer = device.post("/console/api/device/token", json={"device_code": denied["device_code"]})
    assert answer.json()["error"]["code"] == "access_denied"
    late = device.post("/console/api/device/authorize", json={}).json()
    expire(late["user_code"])
    assert device.post("/console/api/device/token", json={"device_code": late["device_code"]}).json()["error"]["code"] \
        == "expired_token"
    assert ada.api("POST", "/device/approve", {"code": late["user_code"]}).json()["error"]["code"] == "expired_code"
    fresh = device.post("/console/api/device/authorize", json={}).json()
    forged = fresh["device_code"].split(".")[0] + ".not-the-secret"
    assert device.post("/console/api/device/token", json={"device_code": forged}).json()["error"]["code"] \
        == "invalid_grant"
    assert device.post("/console/api/device/token", json={"device_code": "x", "grant_type": "password"}) \
        .json()["error"]["code"] == "unsupported_grant_type"
    assert ada.api("GET", "/keys").json()["data"] == []


def test_revoking_a_device_key_in_the_console_refuses_it_at_once(console: Console) -> None:
    ada = console.user().sign_up("Ada")
    key = cli(console).post("/console/api/device/redeem", json={"code": make_code(ada), "device_name": "old laptop"}).json()
    headers = {"authorization": f"Bearer {key['key']}"}
    assert httpx.get(f"{console.url}/console/api/whoami", headers=headers).status_code == 200
    assert ada.api("DELETE", f"/keys/{key['id']}").status_code == 204
    refused = httpx.get(f"{console.url}/console/api/whoami", headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "revoked_api_key"
