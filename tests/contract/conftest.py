"""Contract tests run the real SDKs against a live `tollway serve` child process whose upstreams are
fake provider servers in this process."""

from collections.abc import Iterator

import pytest

from tests.fakes.anthropic_upstream import FakeAnthropic
from tests.fakes.gemini_upstream import FakeGemini
from tests.fakes.openai_upstream import FakeOpenAI
from tests.served import ServedGateway


@pytest.fixture(scope="session")
def served(upstream: FakeOpenAI, anthropic_upstream: FakeAnthropic, gemini_upstream: FakeGemini
           ) -> Iterator[ServedGateway]:
    env = {"OPENAI_API_KEY": "sk-upstream-secret-never-shown", "OPENAI_BASE_URL": upstream.base_url,
           "ANTHROPIC_API_KEY": anthropic_upstream.api_key, "ANTHROPIC_BASE_URL": anthropic_upstream.url,
           "GEMINI_API_KEY": gemini_upstream.api_key, "GEMINI_BASE_URL": gemini_upstream.url,
           # An OpenAI-compatible provider (DeepSeek's API shape), served by the same fake.
           "DEEPSEEK_API_KEY": "sk-deepseek-contract", "DEEPSEEK_BASE_URL": upstream.base_url,
           "TOLLWAY_UPSTREAM_TIMEOUT": "2", "TOLLWAY_ADMIN_KEY": "tw-admin-contract",
           # Injected failures reach the SDK as they are: no retries, no default chains, and a
           # breaker that does not open across tests (this process lives for the whole session).
           "TOLLWAY_RETRY_ATTEMPTS": "1", "TOLLWAY_DEFAULT_FALLBACKS": "{}", "TOLLWAY_BREAKER_THRESHOLD": "1000"}
    with ServedGateway(env=env) as gateway:
        yield gateway
