"""Contract tests run the real SDKs against a live `tollway serve` child process whose upstreams are
fake provider servers in this process."""

from collections.abc import Iterator

import pytest

from tests.fakes.openai_upstream import FakeOpenAI
from tests.served import ServedGateway


@pytest.fixture(scope="session")
def served(upstream: FakeOpenAI) -> Iterator[ServedGateway]:
    env = {"OPENAI_API_KEY": "sk-upstream-secret-never-shown", "OPENAI_BASE_URL": upstream.base_url,
           "TOLLWAY_UPSTREAM_TIMEOUT": "2", "TOLLWAY_ADMIN_KEY": "tw-admin-contract"}
    with ServedGateway(env=env) as gateway:
        yield gateway
