"""schemathesis over every route of the OpenAPI document, against a `tollway serve` child process with
fake upstreams: valid and invalid requests, sent with a valid key, no key, a key without the
route's scope and a key with no credits. No answer is a 5xx, and every error is in the shape the
document gives its surface (OpenAI's, Anthropic's on /v1/messages).

A bounded run in `make test`; `make fuzz` sets TOLLWAY_FUZZ_EXAMPLES for a long one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.fakes.anthropic_upstream import FakeAnthropic
from tests.fakes.gemini_upstream import FakeGemini
from tests.fakes.media_upstreams import FakeMedia
from tests.fakes.openai_upstream import FakeOpenAI
from tests.served import ServedGateway

EXAMPLES = int(os.environ.get("TOLLWAY_FUZZ_EXAMPLES", "2"))
KEYS = ("valid", "missing", "wrong_scope", "broke")


@pytest.fixture(scope="module")
def fuzzed(upstream: FakeOpenAI, anthropic_upstream: FakeAnthropic, gemini_upstream: FakeGemini, media: FakeMedia
           ) -> Iterator[tuple[ServedGateway, dict[str, str]]]:
    env = {"OPENAI_BASE_URL": upstream.base_url,
           "ANTHROPIC_API_KEY": anthropic_upstream.api_key, "ANTHROPIC_BASE_URL": anthropic_upstream.url,
           "GEMINI_API_KEY": gemini_upstream.api_key, "GEMINI_BASE_URL": gemini_upstream.url,
           "TOLLWAY_UPSTREAM_TIMEOUT": "2", "TOLLWAY_ADMIN_KEY": "tw-admin-fuzz", "TOLLWAY_RETRY_ATTEMPTS": "1",
           "TOLLWAY_IP_RATE_LIMIT": "1000000"} | media.env(upstream.base_url)
    served = ServedGateway(env=env).start(timeout_s=60)  # a loaded machine starts it slowly
    try:
        keys = {"valid": served.create_key(credits=1000, rpm=1_000_000)["key"],
                "wrong_scope": served.create_key(credits=1000, scopes=["ai:read"], rpm=1_000_000)["key"],
                "broke": served.create_key(credits=0, rpm=1_000_000)["key"]}
        yield served, keys
    finally:
        served.stop()


def no_server_error(ctx: Any, response: Any, case: Any) -> None:
    """Any 5xx fails, but a 501 for what is not built yet (the product's honest answer)."""
    if response.status_code == 501 and b'"not_implemented"' in response.content:
        return
    assert response.status_code < 500, (f"{response.status_code} from {case.method} {case.path}: "
                                        f"{response.content[:500]!r}")


def _headers(path: str, key: str, served: ServedGateway, keys: dict[str, str]) -> dict[str, str]:
    if key == "missing":
        return {}
    secret = served.admin_key if path.startswith("/admin/") and key == "valid" else keys[key]
    return {"authorization": f"Bearer {secret}", "x-api-key": secret}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_no_route_answers_a_server_error_and_errors_keep_their_shape(
        mode: GenerationMode, fuzzed: tuple[ServedGateway, dict[str, str]]) -> None:
    served, keys = fuzzed
    schema = schemathesis.openapi.from_dict(httpx.get(f"{served.url}/openapi.json", timeout=60).json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 80

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate, Phase.shrink])
        def each_case(case: Any) -> None:
            # Only the key-authenticated surfaces take keys; the console's routes its session cookie.
            for key in KEYS if case.path.startswith(("/v1/", "/admin/")) else ("missing",):
                case.call_and_validate(base_url=served.url, headers=_headers(case.path, key, served, keys),
                                       timeout=30, checks=[no_server_error, response_schema_conformance])

        try:
            each_case()
        except Unsatisfiable:  # nothing to make invalid: a route with no parameters and no body
            assert mode is GenerationMode.NEGATIVE
