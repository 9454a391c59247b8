"""Realtime sessions: a client secret minted through OpenAI's realtime client-secret API (the fake),
the provider key never in the answer, a flat price charged through the ledger, 501 without OpenAI."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import bearer
from tests.environment import changed_environment
from tests.ledger_books import assert_conserved, books
from tollway.ledger.money import to_micro

PATHS = ["/infra/ai/realtime/sessions", "/v1/realtime/sessions"]


@pytest.mark.parametrize("path", PATHS)
def test_a_session_is_a_short_lived_client_secret_at_a_flat_price(gateway, admin, upstream, path: str) -> None:
    key = admin.create_key(credits=10)
    response = httpx.post(f"{gateway.url}{path}", headers=bearer(key),
                          json={"model": "gpt-realtime", "ttl_seconds": 120, "voice": "verse"})
    assert response.status_code == 200, response.text
    session = response.json()
    assert set(session) >= {"id", "model", "voice", "expires_at", "client_secret", "url"}
    assert (session["model"], session["voice"]) == ("gpt-realtime", "verse")
    assert session["client_secret"]["value"].startswith("ek_") and session["id"].startswith("sess_")
    assert abs(session["expires_at"] - (time.time() + 120)) < 5
    assert session["url"].startswith("ws://127.0.0.1:") and session["url"].endswith("/v1/realtime?model=gpt-realtime")
    assert "sk-upstream-secret-never-shown" not in response.text
    sent = upstream.requests[-1]
    assert sent.path == "/v1/realtime/client_secrets"
    assert sent.body == {"expires_after": {"anchor": "created_at", "seconds": 120},
                         "session": {"type": "realtime", "model": "gpt-realtime", "audio": {"output": {"voice": "verse"}}}}
    assert response.headers["x-credits-used"] == "2"
    (record,) = admin.wait_for_usage(key["id"], 1)
    assert (record["endpoint"], record["credits_micro"]) == ("realtime.sessions", 2_000_000)
    assert_conserved(key["id"], to_micro(10))


def test_without_a_model_the_default_realtime_model_answers(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    response = httpx.post(f"{gateway.url}/infra/ai/realtime/sessions", headers=bearer(key), json={})
    assert response.status_code == 200, response.text
    assert response.headers["x-model-used"] == "gpt-realtime" and response.json()["voice"] == "alloy"
    assert upstream.requests[-1].body["expires_after"]["seconds"] == 600


@pytest.mark.parametrize("body, param", [
    ({"ttl_seconds": 29}, "ttl_seconds"), ({"ttl_seconds": 3601}, "ttl_seconds"), ({"ttl_seconds": "60"}, "ttl_seconds"),
    ({"voice": "../x"}, "voice"), ({"voice": ""}, "voice"), ({"model": "gpt-4o"}, "model"),
    ({"model": "acme:gpt-realtime"}, "model"), ({"session": {}}, "session"),
])
def test_bad_input_is_a_4xx_naming_the_field_with_nothing_reserved(gateway, admin, upstream, body, param) -> None:
    key = admin.create_key(credits=10)
    response = httpx.post(f"{gateway.url}/infra/ai/realtime/sessions", headers=bearer(key), json=body)
    assert response.status_code in (400, 404), response.text
    assert response.json()["error"]["param"] == param
    assert upstream.requests == [] and books(key["id"]).holds == 0 and admin.balance(key["id"]) == 10


def test_without_openai_configured_it_is_an_honest_501(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    with changed_environment(OPENAI_API_KEY=None, OPENAI_BASE_URL=None):
        response = httpx.post(f"{gateway.url}/v1/realtime/sessions", headers=bearer(key), json={})
    assert response.status_code == 501, response.text
    assert response.json()["error"]["code"] == "realtime_not_configured"
    assert admin.balance(key["id"]) == 10


def test_an_upstream_failure_refunds_the_session(gateway, admin, upstream) -> None:
    from tests.fakes.scripted import Behaviour

    key = admin.create_key(credits=10)
    upstream.script(Behaviour(status=500))
    response = httpx.post(f"{gateway.url}/v1/realtime/sessions", headers=bearer(key), json={})
    assert response.status_code == 502, response.text
    assert admin.balance(key["id"]) == 10
    assert_conserved(key["id"], to_micro(10))
