"""No provider secret, API key or stack trace ever reaches a response body or a log line."""

import json
import logging

import httpx
import pytest

from tests.conftest import bearer
from tests.environment import changed_environment
from tests.fakes.openai_upstream import Behaviour
from tests.leaks import pieces_found, quoting_across_the_cut
from tollway.providers.upstream_errors import redact, upstream_message

UPSTREAM_SECRET = "sk-upstream-secret-never-shown"  # what the test environment gives the gateway


@pytest.mark.parametrize(
    ("text", "secret", "expected"),
    [("Incorrect API key provided: sk-upstream-secret-never-shown.", None,
      "Incorrect API key provided: [redacted]."),
     ("key sk-ant-api03-abcdefgh rejected", None, "key [redacted] rejected"),
     ("Authorization: Bearer abc.def.ghi was refused", None, "Authorization: [redacted] was refused"),
     ("Google says AIzaSyA1234567890abcdef is wrong", None, "Google says [redacted] is wrong"),
     ("quoted custom-secret-value here", "custom-secret-value", "quoted [redacted] here"),
     ("max_tokens is too large: 999999", None, "max_tokens is too large: 999999"),
     ("elevenlabs key sk_5e1f0c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d refused", None,
      "elevenlabs key [redacted] refused"),
     ("voyage key pa-Vq3Lx9Zm2Nc7Bk4Jh8Gf1Ds6Ap0Ow5Ei3Ru9Ty2Qw7 refused", None, "voyage key [redacted] refused"),
     ("token r8_Hq4Wz8Lk2Xm6Np1Rv5Tb9Yc3Hd7Js0Ga4Ue is invalid", None, "token [redacted] is invalid"),
     ("groq gsk_Fq8Wz3Lk7Xm2Np5Rv9Tb4Yc6Hd1Js0Ga3Ue8Io2 bad", None, "groq [redacted] bad"),
     ("jina jina_9b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e bad", None, "jina [redacted] bad"),
     ("cohere key Co8sQ3xZ7vB2nM5kL9pR4tW6yH1jF0gDeAaUiOoE is invalid", None, "cohere key [redacted] is invalid"),
     ("sent with ?key=AIzaSyQm7Xc2 and api_key: hunter22hunter", None, "sent with ?key=[redacted] and api_key: [redacted]"),
     ("the model Meta-Llama-3.1-70B-Instruct-Turbo-With-A-Long-Name is unknown", None,
      "the model Meta-Llama-3.1-70B-Instruct-Turbo-With-A-Long-Name is unknown")],
)
def test_credentials_are_redacted_from_upstream_messages(text: str, secret: str | None, expected: str) -> None:
    assert redact(text, secret) == expected


SECRET = "Kq8Zx3Lm7Wn2Rv9Tb4Yc6Hd1Js0Ga5UeWp"


@pytest.mark.parametrize("variable", ["ELEVENLABS_API_KEY", "REPLICATE_API_TOKEN", "CF_ACCOUNT_ID", "TOLLWAY_ADMIN_KEY",
                                      "TOLLWAY_WEBHOOK_SECRET", "SOME_FUTURE_PROVIDER_API_KEY"])
def test_a_configured_secret_cut_by_the_message_limit_leaves_no_piece_behind(variable: str) -> None:
    body = json.dumps({"error": {"message": quoting_across_the_cut(SECRET)}}).encode()
    with changed_environment(**{variable: SECRET}):
        message = upstream_message(body)
    assert len(message) <= 500 and "[redacted]" in message
    assert pieces_found(SECRET, message) == []


def test_a_secret_the_upstream_itself_cut_is_redacted_by_its_start_or_its_end() -> None:
    with changed_environment(VOYAGE_API_KEY="voyageKq8Zx3Lm7Wn2Rv9Tb4Yc6Hd1Js0Ga5UeWp"):
        assert redact("key voyageKq8Zx3Lm... was refused") == "key [redacted]... was refused"
        assert redact("key ...Js0Ga5UeWp was refused") == "key ...[redacted] was refused"
        assert redact("key voyageK was refused") == "key voyageK was refused"  # 7 characters say nothing


def test_a_secret_from_the_provider_secret_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    from tollway import config

    monkeypatch.setattr(config, "_secret_values", lambda: {"COHERE_API_KEY": SECRET, "COHERE_BASE_URL": "https://x"})
    assert redact(f"bad {SECRET[:20]}") == "bad [redacted]"
    assert redact("see https://x for help") == "see https://x for help"  # base URLs are not secrets


# (model, variable, key) of each kind of chat upstream; the keys have their provider's format.
CHAT = {
    "openai": ("gpt-4o-mini", "OPENAI_API_KEY", "sk-proj-Qm7Xc2Vb9Nz4Lk8Jh3Gf6Ds1Ap5Ow0EiRt"),
    "anthropic": ("claude-haiku-3.5", "ANTHROPIC_API_KEY", "sk-ant-api03-Rt5Yu8Io2Pa6Sd9Fg3Hj7Kl1Zx4Cv0BnMq"),
    "gemini": ("gemini-2.5-flash", "GEMINI_API_KEY", "AIzaSyQm7Xc2Vb9Nz4Lk8Jh3Gf6Ds1Ap5Ow0Ei"),
    "declared": ("acme/llama-3", "ACME_LLM_CREDENTIAL", "acmeKq8Zx3Lm7Wn2Rv9Tb4Yc6Hd1Js0Ga5UeWp"),
}


@pytest.mark.parametrize("provider", list(CHAT))
def test_a_chat_upstream_quoting_our_key_across_the_message_cut_leaks_no_part_of_it(
        gateway, admin, upstream, anthropic_upstream, gemini_upstream, provider: str, capsys, caplog,
        monkeypatch) -> None:
    caplog.set_level(logging.DEBUG)
    model, variable, secret = CHAT[provider]
    fake = {"anthropic": anthropic_upstream, "gemini": gemini_upstream}.get(provider, upstream)
    monkeypatch.setattr(fake, "api_key", secret, raising=False)  # the fakes that check the key expect this one
    env = {variable: secret}
    if provider == "declared":  # an operator's upstream, its key under a name of the operator's choosing
        env["TOLLWAY_UPSTREAMS"] = json.dumps([{"name": "acme", "base_url": upstream.base_url,
                                                "api_key_env": variable, "prefixes": ["acme/"]}])
    key = admin.create_key(credits=1)
    with changed_environment(**env):
        fake.script(Behaviour(status=400, error_message=quoting_across_the_cut(secret)))
        response = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key),
                              json={"model": model, "messages": [{"role": "user", "content": "hi"}]})
    assert response.status_code == 400, response.text
    assert "Incorrect API key provided: [redacted]" in response.json()["error"]["message"]
    logs = capsys.readouterr()
    assert pieces_found(secret, response.text + logs.out + logs.err + caplog.text) == []


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
    import tollway.endpoints.completion as chat

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
