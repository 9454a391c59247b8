"""Shared fixtures: the real emulator (a child process, DynamoDB serialized as in `tollway serve`),
fake OpenAI, Anthropic and Gemini upstreams on loopback, and the gateway app — all on real sockets.
Each fake is reset (script, request log) before every test that uses it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.anthropic_upstream import FakeAnthropic
from tests.fakes.gemini_upstream import FakeGemini
from tests.fakes.media_upstreams import FakeMedia
from tests.fakes.openai_upstream import FakeOpenAI
from tests.fakes.server import ThreadedServer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    from tollway.local.emulator import Emulator

    emu = Emulator.start()
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def upstream() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def anthropic_upstream() -> Iterator[FakeAnthropic]:
    fake = FakeAnthropic().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def gemini_upstream() -> Iterator[FakeGemini]:
    fake = FakeGemini().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def environment(emulator: Any, upstream: FakeOpenAI, anthropic_upstream: FakeAnthropic,
                gemini_upstream: FakeGemini) -> Iterator[str]:
    """The process environment `tollway serve` would set, pointed at the fakes; yields the admin key."""
    from tollway.local.serve import prepare_environment
    from tollway.local.template import Template
    from tollway.providers import registry

    saved = dict(os.environ)
    for name in ("OPENAI_API_KEY", "GROQ_API_KEY", "DEEPSEEK_API_KEY", "GROQ_BASE_URL", "DEEPSEEK_BASE_URL"):
        os.environ.pop(name, None)
    os.environ["OPENAI_API_KEY"] = "sk-upstream-secret-never-shown"
    os.environ["OPENAI_BASE_URL"] = upstream.base_url
    os.environ["ANTHROPIC_API_KEY"] = anthropic_upstream.api_key
    os.environ["ANTHROPIC_BASE_URL"] = anthropic_upstream.url
    os.environ["GEMINI_API_KEY"] = gemini_upstream.api_key
    os.environ["GEMINI_BASE_URL"] = gemini_upstream.url
    os.environ["TOLLWAY_UPSTREAM_TIMEOUT"] = "2"
    # One attempt per model and no default fallback chains, so a scripted upstream failure reaches
    # the client; tests of retries and fallbacks set their own policy.
    os.environ["TOLLWAY_RETRY_ATTEMPTS"] = "1"
    os.environ["TOLLWAY_DEFAULT_FALLBACKS"] = "{}"
    os.environ["TOLLWAY_ADMIN_KEY"] = "tw-admin-test"
    admin_key = prepare_environment(Template(ROOT / "template.yaml"), emulator)
    registry.reset()
    yield admin_key
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def gateway(environment: str) -> Iterator[ThreadedServer]:
    """The template-driven gateway app on a real socket, in this process (so botocore can be watched)."""
    from tollway.local.gateway import TemplateGateway
    from tollway.local.template import Template

    server = ThreadedServer(TemplateGateway(Template(ROOT / "template.yaml"))).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def media(upstream: FakeOpenAI) -> Iterator[FakeMedia]:
    """The media upstreams (tests/fakes/media_upstreams.py); OpenAI's media routes join the chat fake."""
    fake = FakeMedia().start()
    upstream.add_routes(fake.openai_routes())
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _fresh_upstream(request: pytest.FixtureRequest) -> None:
    for name in ("upstream", "anthropic_upstream", "gemini_upstream", "media"):
        if name in request.fixturenames:
            request.getfixturevalue(name).reset()
    from tollway.routing.breaker import breakers

    breakers().reset()  # a test's injected failures never open another test's circuit


class Admin:
    def __init__(self, url: str, admin_key: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"authorization": f"Bearer {admin_key}"}, timeout=10)

    def create_key(self, credits: float | str = 10, **fields: Any) -> dict[str, Any]:
        response = self.http.post("/admin/keys", json={"name": "test", "credits": credits, **fields})
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def balance(self, key_id: str) -> Decimal:
        """The balance as an exact decimal (the JSON number printed through str)."""
        response = self.http.get(f"/admin/keys/{key_id}")
        assert response.status_code == 200, response.text
        return Decimal(str(response.json()["credits"]))

    def usage(self, key_id: str) -> list[dict[str, Any]]:
        """The key's usage records, oldest first (read from DynamoDB directly, after this process's
        gateway has flushed what it settled)."""
        from tollway.usage.store import records_of

        flush_ledger()
        return records_of(key_id)

    def wait_for_usage(self, key_id: str, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while True:
            records = self.usage(key_id)
            if len(records) >= count or time.monotonic() > deadline:
                return records
            time.sleep(0.02)


def flush_ledger() -> None:
    """Write what the in-process gateway settled but has not flushed yet (it flushes every second)."""
    from tollway.ledger import flush_all

    flush_all()


def fresh_rate_window(min_left_s: float = 10.0) -> None:
    """Rate limits count per clock minute: start a rate test early in one, so it cannot roll over
    halfway (waits at most `min_left_s`)."""
    left = 60 - time.time() % 60
    if left < min_left_s:
        time.sleep(left + 0.05)


def bearer(key: str | dict[str, Any]) -> dict[str, str]:
    return {"authorization": f"Bearer {key['key'] if isinstance(key, dict) else key}"}


@pytest.fixture(scope="session")
def admin(gateway: ThreadedServer, environment: str) -> Admin:
    return Admin(gateway.url, environment)
