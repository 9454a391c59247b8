"""Shared fixtures: the real emulator (a child process, DynamoDB serialized as in `tollway serve`),
fake OpenAI, Anthropic and Gemini upstreams on loopback, and the gateway app — all on real sockets.
Each fake is reset (script, request log) before every test that uses it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.anthropic_upstream import FakeAnthropic
from tests.fakes.gemini_upstream import FakeGemini
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
def environment(emulator: Any, upstream: FakeOpenAI) -> Iterator[str]:
    """The process environment `tollway serve` would set, pointed at the fakes; yields the admin key."""
    from tollway.local.serve import prepare_environment
    from tollway.local.template import Template
    from tollway.providers import registry

    saved = dict(os.environ)
    for name in ("OPENAI_API_KEY", "GROQ_API_KEY", "DEEPSEEK_API_KEY", "GROQ_BASE_URL", "DEEPSEEK_BASE_URL"):
        os.environ.pop(name, None)
    os.environ["OPENAI_API_KEY"] = "sk-upstream-secret-never-shown"
    os.environ["OPENAI_BASE_URL"] = upstream.base_url
    os.environ["TOLLWAY_UPSTREAM_TIMEOUT"] = "2"
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


@pytest.fixture(autouse=True)
def _fresh_upstream(request: pytest.FixtureRequest) -> None:
    for name in ("upstream", "anthropic_upstream", "gemini_upstream"):
        if name in request.fixturenames:
            request.getfixturevalue(name).reset()


class Admin:
    def __init__(self, url: str, admin_key: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"authorization": f"Bearer {admin_key}"}, timeout=10)

    def create_key(self, credits: float | str = 10, **fields: Any) -> dict[str, Any]:
        response = self.http.post("/admin/keys", json={"name": "test", "credits": credits, **fields})
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def balance(self, key_id: str) -> float:
        return self.http.get(f"/admin/keys/{key_id}").json()["credits"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def admin(gateway: ThreadedServer, environment: str) -> Admin:
    return Admin(gateway.url, environment)
