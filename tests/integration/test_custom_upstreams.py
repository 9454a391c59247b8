"""An operator declares an OpenAI-compatible upstream in config (no code change) and its models are
routed, priced, listed and retrievable like built-in ones."""

import json
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from tests.conftest import bearer
from tests.environment import changed_environment
from tests.fakes.openai_upstream import PROMPT_TOKENS, FakeOpenAI
from tollway.catalog.custom_upstreams import UpstreamsConfigError


@pytest.fixture()
def ollama(environment: str) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake, changed_environment(OLLAMA_TEST_KEY="ollama-secret-value", TOLLWAY_UPSTREAMS=json.dumps([{
            "name": "ollama", "base_url": fake.base_url, "api_key_env": "OLLAMA_TEST_KEY", "auth_header": "api-key",
            "models": ["qwen2.5-coder"], "prefixes": ["ollama/"], "strip_prefix": True, "price": "0.0001",
            "capabilities": ["chat", "stream", "tools", "json", "vision"], "max_output_tokens": 4096}])):
        yield fake


def test_a_declared_upstream_serves_its_models_at_its_price(gateway, admin, ollama) -> None:
    key = admin.create_key(credits=1)
    response = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key), json={
        "model": "ollama/llama3.2:3b", "messages": [{"role": "user", "content": "local models too"}]})
    assert response.status_code == 200, response.text
    assert response.headers["x-model-used"] == "ollama/llama3.2:3b"
    assert Decimal(response.headers["x-credits-used"]) == (PROMPT_TOKENS + 3) * Decimal("0.0001")
    sent = ollama.requests[-1]
    assert sent.body["model"] == "llama3.2:3b"  # the prefix is the gateway's, not the server's
    assert sent.headers["api-key"] == "ollama-secret-value" and "authorization" not in sent.headers
    assert sent.body["max_tokens"] == 256


def test_declared_models_are_listed_and_retrievable(gateway, admin, ollama) -> None:
    key = admin.create_key(credits=1)
    listed = {m["id"]: m for m in httpx.get(f"{gateway.url}/v1/models", headers=bearer(key)).json()["data"]}
    assert listed["qwen2.5-coder"]["owned_by"] == "ollama"
    detail = httpx.get(f"{gateway.url}/v1/models/qwen2.5-coder", headers=bearer(key)).json()
    assert detail["provider"] == "ollama" and "vision" in detail["capabilities"]
    assert detail["pricing"] == {"unit": "token", "input": "0.0001", "output": "0.0001"}
    assert detail["max_output_tokens"] == 4096 and detail["available"] is True


def test_a_declared_upstream_wins_over_a_built_in_pattern(gateway, admin, ollama) -> None:
    from tollway.catalog import resolve

    assert resolve("ollama/llama-3.1-8b-instant").provider == "ollama"  # type: ignore[union-attr]
    assert resolve("llama-3.1-8b-instant").provider == "groq"  # type: ignore[union-attr]


@pytest.mark.parametrize("config", [
    "not json", json.dumps({"name": "x"}), json.dumps([{"name": "openai", "base_url": "http://x"}]),
    json.dumps([{"name": "a", "base_url": "ftp://x"}]), json.dumps([{"name": "a", "base_url": "http://x", "color": 1}]),
    json.dumps([{"name": "a", "base_url": "http://x"}, {"name": "a", "base_url": "http://y"}])])
def test_an_invalid_declaration_is_refused_with_what_to_fix(config: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tollway.catalog.custom_upstreams import custom_upstreams

    monkeypatch.setenv("TOLLWAY_UPSTREAMS", config)
    custom_upstreams.cache_clear()
    try:
        with pytest.raises(UpstreamsConfigError) as caught:
            custom_upstreams()
        assert "TOLLWAY_UPSTREAMS" in str(caught.value)
    finally:
        monkeypatch.undo()
        custom_upstreams.cache_clear()


def test_retrieving_a_model_shows_what_it_can_do_and_costs(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    detail = httpx.get(f"{gateway.url}/v1/models/gpt-4o", headers=bearer(key)).json()
    assert detail["id"] == "gpt-4o" and detail["object"] == "model" and detail["owned_by"] == "openai"
    assert {"chat", "stream", "tools", "json", "vision", "files"} <= set(detail["capabilities"])
    assert detail["input_modalities"] == ["text", "image", "file"] and detail["context_length"] == 128_000
    assert detail["pricing"] == {"unit": "token", "input": "0.01", "output": "0.01"} and detail["available"]
    echo = httpx.get(f"{gateway.url}/v1/models/local/echo", headers=bearer(key)).json()
    assert echo["provider"] == "local" and echo["catalogued"] is True
    unlisted = httpx.get(f"{gateway.url}/v1/models/gpt-9-preview", headers=bearer(key)).json()
    assert unlisted["provider"] == "openai" and unlisted["catalogued"] is False
    groq = httpx.get(f"{gateway.url}/v1/models/llama-3.1-8b-instant", headers=bearer(key)).json()
    assert groq["available"] is False  # catalogued, provider not configured here
    missing = httpx.get(f"{gateway.url}/v1/models/mistral-large", headers=bearer(key))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"
    assert httpx.get(f"{gateway.url}/v1/models/gpt-4o").status_code == 401
