"""`provider:model` ids on the running gateway: accepted on every route, answered by that provider
only, an unknown provider refused with a 400 naming `model` before anything is reserved."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import bearer
from tests.environment import changed_environment
from tests.ledger_books import books


def test_chat_and_responses_take_provider_ids(gateway, admin, anthropic_upstream) -> None:
    key = admin.create_key(credits=10)
    chat = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key), json={
        "model": "anthropic:claude-sonnet-4-20250514", "messages": [{"role": "user", "content": "hi there"}]})
    response = httpx.post(f"{gateway.url}/infra/ai/responses", headers=bearer(key), json={
        "model": "anthropic:claude-sonnet-4-20250514", "input": "hi there"})
    assert chat.status_code == response.status_code == 200, (chat.text, response.text)
    assert chat.headers["x-model-used"] == response.headers["x-model-used"] == "claude-sonnet-4-20250514"
    assert [r.path for r in anthropic_upstream.requests] == ["/v1/messages", "/v1/messages"]
    assert anthropic_upstream.requests[0].body["model"] == "claude-sonnet-4-20250514"


def test_workers_ai_chat_by_its_short_provider_id(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    with changed_environment(CF_ACCOUNT_ID="acct123", CF_API_TOKEN="cf-token-never-shown",
                             CF_BASE_URL=upstream.url):
        response = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key), json={
            "model": "workers-ai:llama-3.1-8b-instruct", "messages": [{"role": "user", "content": "edge words"}]})
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "edge words"
    sent = upstream.requests[-1]
    assert sent.path == "/accounts/acct123/ai/v1/chat/completions"
    assert sent.body["model"] == "@cf/meta/llama-3.1-8b-instruct"
    assert sent.headers["authorization"] == "Bearer cf-token-never-shown"


@pytest.mark.parametrize("path, body", [
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": "x"}]}),
    ("/infra/ai/responses", {"input": "x"}),
    ("/infra/ai/embeddings", {"input": "x"}),
    ("/v1/messages", {"max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}),
])
def test_an_unknown_provider_prefix_is_a_400_naming_model_with_nothing_reserved(gateway, admin, upstream, path: str,
                                                                                body: dict) -> None:
    key = admin.create_key(credits=1)
    response = httpx.post(f"{gateway.url}{path}", headers=bearer(key), json=body | {"model": "acme:gpt-4o"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error.get("param", "model") == "model" and "'acme' is not a provider" in error["message"]
    assert upstream.requests == [] and books(key["id"]).holds == 0 and admin.balance(key["id"]) == 1


def test_a_provider_id_for_another_providers_model_is_a_404(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=1)
    response = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key), json={
        "model": "openai:claude-sonnet-4-20250514", "messages": [{"role": "user", "content": "x"}]})
    assert response.status_code == 404 and response.json()["error"]["param"] == "model"
    assert upstream.requests == []
