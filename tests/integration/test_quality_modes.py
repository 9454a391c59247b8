"""`quality: auto|low|high|ultra` on chat and responses, for any model: what each mode does to a named
model (routing/quality.py), never sent upstream, a bad value refused before anything is reserved."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import bearer
from tests.ledger_books import books
from tollway.config import settings

CHAT, RESPONSES = "/v1/chat/completions", "/infra/ai/responses"


def ask(gateway, key, path: str, model: str, quality: str | None, **extra) -> httpx.Response:
    body = {"model": model, **extra} | ({"quality": quality} if quality is not None else {})
    body |= {"messages": [{"role": "user", "content": "two words"}]} if path == CHAT else {"input": "two words"}
    return httpx.post(f"{gateway.url}{path}", headers=bearer(key), json=body, timeout=30)


@pytest.mark.parametrize("path", [CHAT, RESPONSES])
@pytest.mark.parametrize("quality, limit", [(None, 1), ("auto", 1), ("low", 1), ("high", 4), ("ultra", 4)])
def test_high_and_ultra_leave_room_for_a_longer_answer_and_quality_is_never_sent_upstream(
        gateway, admin, upstream, path: str, quality: str | None, limit: int) -> None:
    key = admin.create_key(credits=10)
    response = ask(gateway, key, path, "gpt-4o-mini", quality)
    assert response.status_code == 200, response.text
    sent = upstream.requests[0].body
    assert "quality" not in sent and "reasoning_effort" not in sent and "reasoning" not in sent
    field = "max_completion_tokens" if path == CHAT else "max_output_tokens"
    assert sent[field] == settings().default_max_tokens * limit


@pytest.mark.parametrize("path, field", [(CHAT, "reasoning_effort"), (RESPONSES, "reasoning")])
@pytest.mark.parametrize("quality, effort", [("low", "low"), ("high", "high"), ("ultra", "high")])
def test_reasoning_models_get_the_modes_reasoning_effort(gateway, admin, upstream, path: str, field: str,
                                                         quality: str, effort: str) -> None:
    key = admin.create_key(credits=10)
    response = ask(gateway, key, path, "o3-mini", quality, tools=[{"type": "function", "function": {
        "name": "noop", "parameters": {"type": "object"}}}] if path == CHAT else None)
    assert response.status_code == 200, response.text
    sent = upstream.requests[0].body
    assert sent[field] == (effort if path == CHAT else {"effort": effort})


def test_a_clients_own_reasoning_effort_wins(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    assert ask(gateway, key, CHAT, "o3-mini", "low", reasoning_effort="medium").status_code == 200
    assert upstream.requests[0].body["reasoning_effort"] == "medium"


def test_ultra_on_chat_refines_the_draft_and_charges_both_passes(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    response = ask(gateway, key, CHAT, "gpt-4o-mini", "ultra")
    assert response.status_code == 200, response.text
    assert response.headers["x-quality-passes"] == "2" and len(upstream.requests) == 2
    review = upstream.requests[1].body["messages"]
    assert review[-2] == {"role": "assistant", "content": "two words"} and review[-1]["role"] == "user"
    draft, final = admin.wait_for_usage(key["id"], 2)
    assert response.json()["usage"]["cost"] * 1_000_000 == pytest.approx(draft["credits_micro"] + final["credits_micro"])


def test_on_an_auto_model_quality_picks_the_tier(gateway, admin, upstream) -> None:
    key = admin.create_key(credits=10)
    response = ask(gateway, key, CHAT, "auto", "high")
    assert response.status_code == 200, response.text
    assert response.headers["x-auto-tier"] == "high" and response.headers["x-model-used"] == "gpt-4o"


@pytest.mark.parametrize("path", [CHAT, RESPONSES])
@pytest.mark.parametrize("quality", ["best", 3, ""])
def test_a_bad_quality_is_a_400_naming_it_with_nothing_reserved(gateway, admin, upstream, path: str, quality) -> None:
    key = admin.create_key(credits=10)
    response = ask(gateway, key, path, "gpt-4o-mini", quality)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "quality"
    assert upstream.requests == [] and books(key["id"]).holds == 0 and admin.balance(key["id"]) == 10
