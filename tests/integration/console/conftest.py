"""The console against the in-process gateway, its origin http://localhost:<port> as `tollway serve`
sets it (requests go to 127.0.0.1 and say that Origin, as a browser on localhost would)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.environment import changed_environment
from tests.integration.console.client import Console


@pytest.fixture(scope="module")
def console(gateway: Any, environment: str) -> Iterator[Console]:
    origin = f"http://localhost:{gateway.port}"
    with changed_environment(TOLLWAY_CONSOLE_ORIGIN=origin, TOLLWAY_SIGNUP="open"):
        yield Console(gateway.url, origin, environment)
