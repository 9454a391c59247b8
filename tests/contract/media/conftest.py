"""A `tollway serve` child whose media providers all point at the fake upstreams of this process."""

from collections.abc import Iterator

import pytest

from tests.fakes.media_upstreams import FakeMedia
from tests.fakes.openai_upstream import FakeOpenAI
from tests.served import ServedGateway


@pytest.fixture(scope="session")
def media_served(upstream: FakeOpenAI, media: FakeMedia) -> Iterator[ServedGateway]:
    env = media.env(upstream.base_url) | {"TOLLWAY_UPSTREAM_TIMEOUT": "2", "TOLLWAY_ADMIN_KEY": "tw-admin-media"}
    with ServedGateway(env=env) as gateway:
        yield gateway
