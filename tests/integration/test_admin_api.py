"""The admin API issues, shows, credits and revokes keys; only the admin key may use it."""

import re
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import bearer

CHAT = {"model": "local/echo", "messages": [{"role": "user", "content": "hi"}]}


def test_a_created_key_is_shown_once_and_stored_only_as_a_hash(gateway, admin) -> None:
    created = admin.create_key(credits="12.5", rpm=120, scopes=["ai:generate"], name="team-a")
    assert re.fullmatch(r"sk-tw-[0-9a-f]{16}[A-Za-z0-9_-]{32,}", created["key"])
    assert created["id"] == created["key"][6:22]
    assert created["credits"] == 12.5 and created["rpm"] == 120 and created["scopes"] == ["ai:generate"]
    assert created["name"] == "team-a" and created["created_at"].endswith("Z")

    shown = admin.http.get(f"/admin/keys/{created['id']}").json()
    assert "key" not in shown
    assert {k: shown[k] for k in ("id", "name", "credits", "rpm", "scopes")} == {
        k: created[k] for k in ("id", "name", "credits", "rpm", "scopes")}

    from tollway.aws_clients import client
    from tollway.config import settings

    item = client("dynamodb").get_item(TableName=settings().keys_table, Key={"id": {"S": created["id"]}})["Item"]
    assert created["key"] not in str(item)
    assert len(item["key_hash"]["S"]) == 64


def test_defaults_are_sixty_rpm_and_read_generate_scopes(admin) -> None:
    response = admin.http.post("/admin/keys", json={"name": "d", "credits": 1})
    assert response.status_code == 201
    assert response.json()["rpm"] == 60 and response.json()["scopes"] == ["ai:generate", "ai:read"]


def test_credits_can_be_added_and_removed_but_never_below_zero(admin) -> None:
    key = admin.create_key(credits=1)
    added = admin.http.post(f"/admin/keys/{key['id']}/credits", json={"amount": "2.000001"})
    assert added.status_code == 200 and added.json()["credits"] == 3.000001
    removed = admin.http.post(f"/admin/keys/{key['id']}/credits", json={"amount": -3})
    assert removed.json()["credits"] == 0.000001
    too_much = admin.http.post(f"/admin/keys/{key['id']}/credits", json={"amount": -1})
    assert too_much.status_code == 400 and too_much.json()["error"]["param"] == "amount"
    assert admin.balance(key["id"]) == Decimal("0.000001")


def test_a_revoked_key_is_refused_at_once(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    assert httpx.post(f"{gateway.url}/v1/chat/completions", json=CHAT, headers=bearer(key)).status_code == 200
    assert admin.http.delete(f"/admin/keys/{key['id']}").status_code == 204
    refused = httpx.post(f"{gateway.url}/v1/chat/completions", json=CHAT, headers=bearer(key))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "revoked_api_key"
    assert admin.http.get(f"/admin/keys/{key['id']}").json()["revoked_at"]


def test_unknown_key_ids_are_404(admin) -> None:
    for method, path, body in [("GET", "/admin/keys/0123456789abcdef", None),
                               ("DELETE", "/admin/keys/0123456789abcdef", None),
                               ("POST", "/admin/keys/0123456789abcdef/credits", {"amount": 1})]:
        response = admin.http.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "key_not_found"


@pytest.mark.parametrize("headers", [{}, {"authorization": "Bearer wrong"}, {"authorization": "Basic dHctYWRtaW4tdGVzdA=="},
                                     {"x-api-key": "tw-admin-test"}])
def test_the_admin_api_needs_the_admin_key_as_bearer(gateway, headers: dict[str, str]) -> None:
    response = httpx.post(f"{gateway.url}/admin/keys", json={"name": "x", "credits": 1}, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


def test_an_api_key_is_not_an_admin_key(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    assert httpx.get(f"{gateway.url}/admin/keys/{key['id']}", headers=bearer(key)).status_code == 401


@pytest.mark.parametrize(
    ("body", "param"),
    [({"credits": 1}, "name"), ({"name": "x"}, "credits"), ({"name": "x", "credits": -1}, "credits"),
     ({"name": "x", "credits": "lots"}, "credits"), ({"name": "x", "credits": 1, "rpm": 0}, "rpm"),
     ({"name": "x", "credits": 1, "rpm": 1_000_001}, "rpm"), ({"name": "x", "credits": 1, "scopes": ["root"]}, "scopes"),
     ({"name": "x", "credits": 1, "scopes": []}, "scopes"), ({"name": "x", "credits": 1, "admin": True}, "admin"),
     ({"name": "x", "credits": "0.0000001"}, "credits")],
)
def test_invalid_key_requests_are_400_naming_the_param(admin, body: dict[str, Any], param: str) -> None:
    response = admin.http.post("/admin/keys", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


def cli_output(capsys) -> str:
    """What the CLI printed: the gateway shares this process, so its JSON log and metrics lines are dropped."""
    return "\n".join(line for line in capsys.readouterr().out.splitlines()
                     if not line.startswith(('{"level"', '{"_aws"')))


def test_the_cli_manages_keys_over_the_admin_api(gateway, admin, capsys) -> None:
    from tollway.cli import main

    common = ["--url", gateway.url, "--admin-key", "tw-admin-test"]
    main(["keys", "create", "--credits", "10", "--rpm", "90", "--scopes", "ai:read,ai:generate", *common])
    key = cli_output(capsys).strip()
    key_id = key[6:22]
    assert key.startswith("sk-tw-") and admin.balance(key_id) == 10
    main(["keys", "credit", key_id, "-2.5", *common])
    assert cli_output(capsys).strip() == "7.5"
    main(["keys", "show", key_id, *common])
    assert '"rpm": 90' in cli_output(capsys)
    main(["keys", "revoke", key_id, *common])
    assert httpx.post(f"{gateway.url}/v1/chat/completions", json=CHAT, headers=bearer(key)).status_code == 401
    with pytest.raises(SystemExit) as failed:
        main(["keys", "show", "0123456789abcdef", *common])
    assert "404" in str(failed.value)
