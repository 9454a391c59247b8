"""No provider secret, API key or stack trace ever reaches a response body or a log line."""

import json
import logging

import httpx
import pytest

from tests.conftest import bearer
from tests.fakes.openai_upstream import Behaviour
from tollway.providers.upstream_errors import redact

UPSTREAM_SECRET = "sk-upstream-secret-never-shown"  # what the test environment gives the gateway


@pytest.mark.parametrize(
    ("text", "secret", "expected"),
    [("Incorrect API key provided: sk-upstream-secret-never-shown.", None,
      "Incorrect API key provided: [redacted]."),
     ("key sk-ant-api03-abcdefgh rejected", None, "key [redacted] rejected"),
     ("Authorization: Bearer abc.def.ghi was refused", None, "Authorization: [redacted] was refused"),
     ("Google says AIzaSyA1234567890abcdef is wrong", None, "Google says [redacted] is wrong"),
     ("quoted custom-secret-value here", "custom-secret-value", "quoted [redacted] here"),
     ("max_tokens is too large: 999999", None, "max_tokens is too large: 999999")],
)
def test_credentials_are_redacted_from_upstream_messages(text: str, secret: str | None, expected: str) -> None:
    assert redact(text, secret) == expected


def test_upstream_messages_quoting_our_key_never_reach_the_client_or_the_logs(gateway, admin, upstream, capsys,
                                                                              caplog) -> None:
    caplog.set_level(logging.DEBUG)
    key = admin.create_key(credits=1)
    ask = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    leaky = f"Incorrect API key provided: {UPSTREAM_SECRET}. You can find your API key at platform."
    bodies = []
    for behaviour in (Behaviour(status=400, error_message=leaky), Behaviour(status=401, error_message=leaky),
                      Behaviour(status=500, error_message=leaky), Behaviour(status=429, error_message=leaky)):
        upstream.script(behaviour)
        response = httpx.post(f"{gateway.url}/v1/chat/completions", json=ask, headers=bearer(key))
        assert response.status_code in (400, 429, 502)
        bodies.append(response.text)
    upstream.script(Behaviour(fail_after_chunks=1))
    with httpx.stream("POST", f"{gateway.url}/v1/chat/completions", json=ask | {"stream": True},
                      headers=bearer(key)) as streamed:
        bodies.append(streamed.read().decode())
    assert "Incorrect API key provided: [redacted]" in json.loads(bodies[0])["error"]["message"]
    logs = capsys.readouterr()
    everything = "\n".join(bodies) + logs.out + logs.err + caplog.text
    for secret in (UPSTREAM_SECRET, key["key"], "tw-admin-test"):
        assert secret not in everything
    assert "Traceback" not in everything


def test_an_unexpected_failure_is_a_500_without_a_trace(gateway, admin, monkeypatch, capsys) -> None:
    import tollway.routing.chat as chat

    def explode(*_: object) -> None:
        raise RuntimeError(f"internal detail with {UPSTREAM_SECRET}")

    monkeypatch.setattr(chat, "estimate_prompt_tokens", explode)
    key = admin.create_key(credits=1)
    response = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key),
                          json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    assert response.status_code == 500
    assert response.json()["error"] == {"message": "The gateway failed to handle this request", "type": "api_error",
                                        "code": "internal_error", "param": None}
    logs = capsys.readouterr()
    assert UPSTREAM_SECRET not in response.text + logs.out + logs.err
    assert "Traceback" not in logs.out + logs.err
