"""Providers registered through /api/v1/inference/providers answer on the next request, through a
fake upstream on 127.0.0.1, without a restart; their models are synced from the provider's own list,
an unpriced one refused until the operator prices it; deleting one makes its models 404 again.
Only the operator (admin key) or an ai:admin key writes; a provider key is never accepted."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import bearer
from tests.environment import changed_environment
from tests.fakes.openai_upstream import FakeOpenAI

API = "/api/v1/inference"
KEY_VALUE = "sk-local-vllm-secret-never-shown"


@pytest.fixture(scope="module")
def vllm(environment: str) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI().start()
    with changed_environment(TOLLWAY_PROVIDERS_ALLOW_PRIVATE="1", LOCAL_VLLM_KEY=KEY_VALUE):
        yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _fresh_vllm(request: pytest.FixtureRequest) -> None:
    if "vllm" in request.fixturenames:
        fake = request.getfixturevalue("vllm")
        fake.reset()
        fake.listed_models = ["gpt-4o-mini"]


class Operator:
    def __init__(self, gateway, key: str | dict[str, Any]) -> None:
        self.http = httpx.Client(base_url=gateway.url + API, headers=bearer(key), timeout=15)

    def register(self, vllm: FakeOpenAI, name: str, **fields: Any) -> dict[str, Any]:
        response = self.http.post("/providers", json={"name": name, "type": "openai-compatible",
                                                      "baseUrl": vllm.base_url, "envVar": "LOCAL_VLLM_KEY"} | fields)
        assert response.status_code == 201, response.text
        return response.json()["data"]  # type: ignore[no-any-return]


def chat(gateway, key, **body: Any) -> httpx.Response:
    return httpx.post(f"{gateway.url}{API}/chat", headers=bearer(key), timeout=15,
                      json={"messages": [{"role": "user", "content": "say something"}]} | body)


def refused(response: httpx.Response, status: int, code: str, mentions: str = "") -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert response.json()["success"] is False and error["code"] == code and mentions in error["message"], error


def test_a_registered_provider_answers_at_once_and_its_models_404_once_deleted(gateway, admin, environment, vllm) -> None:
    operator = Operator(gateway, environment)
    created = operator.register(vllm, "vllm-a", defaultModel="gpt-4o-mini")
    assert created["id"].startswith("prov_") and created["name"] == "vllm-a" and created["envVar"] == "LOCAL_VLLM_KEY"
    assert {"id", "name", "type", "baseUrl", "defaultModel", "envVar", "created", "updated"} <= set(created)
    key = admin.create_key(credits=10)

    by_id = chat(gateway, key, providerId=created["id"])  # the default model, on the provider named by id
    assert by_id.status_code == 200, by_id.text
    sent = vllm.requests[-1]
    assert sent.body["model"] == "gpt-4o-mini" and sent.headers["authorization"] == f"Bearer {KEY_VALUE}"
    usage = by_id.json()["data"]["usage"]
    assert Decimal(by_id.headers["x-credits-used"]) == (usage["inputTokens"] + usage["outputTokens"]) * Decimal("0.0008")
    assert KEY_VALUE not in by_id.text and KEY_VALUE not in operator.http.get("/providers").text

    v1 = httpx.post(f"{gateway.url}/v1/chat/completions", headers=bearer(key), timeout=15,
                    json={"model": "vllm-a/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    assert v1.status_code == 200 and len(vllm.requests) == 2 and v1.headers["x-model-used"] == "vllm-a/gpt-4o-mini"

    assert operator.http.delete(f"/providers/{created['name']}").json()["data"]["deleted"] is True
    refused(chat(gateway, key, model="gpt-4o-mini", providerId="vllm-a"), 404, "NOT_FOUND")
    refused(chat(gateway, key, model="vllm-a/gpt-4o-mini"), 404, "NOT_FOUND")
    refused(operator.http.get("/providers/vllm-a"), 404, "NOT_FOUND")
    assert len(vllm.requests) == 2


def test_a_changed_provider_serves_from_its_new_url_on_the_next_request(gateway, admin, environment, vllm) -> None:
    operator = Operator(gateway, environment)
    created = operator.register(vllm, "vllm-move")
    key = admin.create_key(credits=10)
    assert chat(gateway, key, model="vllm-move/gpt-4o-mini").status_code == 200 and len(vllm.requests) == 1
    with FakeOpenAI() as other:
        changed = operator.http.put(f"/providers/{created['id']}", json={"baseUrl": other.base_url})
        assert changed.status_code == 200 and changed.json()["data"]["baseUrl"] == other.base_url
        assert chat(gateway, key, model="vllm-move/gpt-4o-mini").status_code == 200
        assert len(other.requests) == 1 and len(vllm.requests) == 1
    operator.http.delete(f"/providers/{created['id']}")


def test_synced_models_are_listed_and_an_unpriced_one_is_refused_until_priced(gateway, admin, environment, vllm) -> None:
    operator = Operator(gateway, environment)
    operator.register(vllm, "vllm-sync")
    vllm.listed_models = ["gpt-4o-mini", "llama-local-7b"]
    synced = operator.http.post("/models/sync", json={"provider": "vllm-sync"})
    assert synced.status_code == 200, synced.text
    assert synced.json()["data"]["count"] == 2 and synced.json()["data"]["syncedAt"]
    assert vllm.model_list_headers[-1]["authorization"] == f"Bearer {KEY_VALUE}"
    key = admin.create_key(credits=10)
    listed = {m["id"]: m for m in httpx.get(f"{gateway.url}{API}/models", params={"provider": "vllm-sync"},
                                            headers=bearer(key), timeout=10).json()["data"]}
    assert listed["vllm-sync/gpt-4o-mini"]["priced"] is True and listed["vllm-sync/llama-local-7b"]["priced"] is False
    everything = httpx.get(f"{gateway.url}{API}/models", headers=bearer(key), timeout=10).json()["data"]
    assert {"gpt-4o", "vllm-sync/llama-local-7b"} <= {m["id"] for m in everything}

    refused(chat(gateway, key, model="llama-local-7b", providerId="vllm-sync"), 400, "BAD_REQUEST", "no price")
    assert not vllm.requests and admin.balance(key["id"]) == 10

    priced = operator.http.put("/providers/vllm-sync", json={"prices": {"llama-local-7b": {"input": "0.000001",
                                                                                            "output": "0.000002"}}})
    assert priced.status_code == 200, priced.text
    answer = chat(gateway, key, model="llama-local-7b", providerId="vllm-sync")
    assert answer.status_code == 200, answer.text
    usage = answer.json()["data"]["usage"]
    expected = Decimal(usage["inputTokens"]) * Decimal("0.000001") + Decimal(usage["outputTokens"]) * Decimal("0.000002")
    assert Decimal(answer.headers["x-credits-used"]) == expected > 0
    assert vllm.requests[-1].body["model"] == "llama-local-7b"
    operator.http.delete("/providers/vllm-sync")


def test_bad_registrations_are_refused_naming_the_field_and_change_nothing(gateway, environment, vllm) -> None:
    operator = Operator(gateway, environment)
    operator.register(vllm, "vllm-taken")
    before = operator.http.get("/providers").json()["data"]
    good = {"name": "vllm-new", "type": "openai-compatible", "baseUrl": vllm.base_url, "envVar": "LOCAL_VLLM_KEY"}
    cases = [
        (good | {"name": "vllm-taken"}, 409, "CONFLICT", "vllm-taken"),
        (good | {"name": "openai"}, 409, "CONFLICT", "built-in"),
        (good | {"type": "telepathy"}, 400, "BAD_REQUEST", "type"),
        (good | {"baseUrl": "ftp://example.com/v1"}, 400, "BAD_REQUEST", "baseUrl"),
        (good | {"envVar": "NOT_SET_ANYWHERE_42"}, 400, "BAD_REQUEST", "envVar"),
        (good | {"envVar": "TOLLWAY_ADMIN_KEY"}, 400, "BAD_REQUEST", "envVar"),
        (good | {"apiKey": "sk-live-123"}, 400, "BAD_REQUEST", "apiKey"),
        (good | {"name": "Bad Name!"}, 400, "BAD_REQUEST", "name"),
        (good | {"baseUrl": 42}, 400, "BAD_REQUEST", "baseUrl"),
        (good | {"prices": {"m": {"input": "abc", "output": "1"}}}, 400, "BAD_REQUEST", "prices"),
        (good | {"prices": {"m": {"input": "-1", "output": "1"}}}, 400, "BAD_REQUEST", "prices"),
        ({k: v for k, v in good.items() if k != "baseUrl"}, 400, "BAD_REQUEST", "baseUrl"),
    ]
    for body, status, code, mentions in cases:
        refused(operator.http.post("/providers", json=body), status, code, mentions)
    refused(operator.http.put("/providers/vllm-taken", json={"name": "openai"}), 409, "CONFLICT")
    refused(operator.http.put("/providers/vllm-taken", json={"envVar": "NOT_SET_ANYWHERE_42"}), 400, "BAD_REQUEST",
            "envVar")
    refused(operator.http.put("/providers/nope", json={}), 404, "NOT_FOUND")
    refused(operator.http.post("/models/sync", json={"provider": "nope"}), 404, "NOT_FOUND")
    refused(operator.http.post("/models/sync", json={"provider": 3}), 400, "BAD_REQUEST", "provider")
    with changed_environment(TOLLWAY_PROVIDERS_ALLOW_PRIVATE=None):
        for url in (vllm.base_url, "http://169.254.169.254/latest", "http://10.0.0.8/v1", "https://example.com:8443/v1"):
            refused(operator.http.post("/providers", json=good | {"baseUrl": url}), 400, "BAD_REQUEST", "baseUrl")
    assert operator.http.get("/providers").json()["data"] == before
    operator.http.delete("/providers/vllm-taken")


def test_only_the_operator_or_an_ai_admin_key_writes_and_any_reader_lists(gateway, admin, vllm) -> None:
    reader = Operator(gateway, admin.create_key(credits=1, scopes=["ai:read"]))
    generator = Operator(gateway, admin.create_key(credits=1, scopes=["ai:generate"]))
    owner = Operator(gateway, admin.create_key(credits=1, scopes=["ai:read", "ai:admin"]))
    body = {"name": "vllm-scoped", "type": "openai-compatible", "baseUrl": vllm.base_url}
    refused(reader.http.post("/providers", json=body), 403, "FORBIDDEN")
    refused(generator.http.get("/providers"), 403, "FORBIDDEN")
    refused(Operator(gateway, "not-a-key").http.get("/providers"), 401, "UNAUTHORIZED")
    created = owner.register(vllm, "vllm-scoped")
    assert reader.http.get("/providers").status_code == 200
    assert created["id"] in {p["id"] for p in reader.http.get("/providers").json()["data"]}
    refused(reader.http.delete(f"/providers/{created['id']}"), 403, "FORBIDDEN")
    refused(reader.http.post("/models/sync", json={"provider": "vllm-scoped"}), 403, "FORBIDDEN")
    assert owner.http.delete(f"/providers/{created['id']}").status_code == 200
