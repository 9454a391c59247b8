"""The gateway answers a chat through the fake upstream and charges exactly its usage."""

from decimal import Decimal

import httpx

from tests.fakes.openai_upstream import PROMPT_TOKENS


def test_chat_through_fake_upstream_charges_reported_usage(gateway, admin, upstream):
    key = admin.create_key(credits=1)
    response = httpx.post(f"{gateway.url}/v1/chat/completions", headers={"authorization": f"Bearer {key['key']}"},
                          json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "one two three"}]})
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "one two three"
    expected = Decimal(PROMPT_TOKENS + 3) * Decimal("0.0008")
    assert Decimal(response.headers["x-credits-used"]) == expected
    assert Decimal(str(admin.balance(key["id"]))) == 1 - expected
    sent = upstream.requests[-1]
    assert sent.body["max_completion_tokens"] == 256
    assert sent.headers["authorization"] == "Bearer sk-upstream-secret-never-shown"
