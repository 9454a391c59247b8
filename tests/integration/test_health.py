"""`GET /health` says whether the store answers (cached a few seconds, 503 when it does not), and
`GET /admin/health/providers` checks every configured provider with one free call, keys never shown."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.environment import changed_environment
from tests.fakes.server import free_port


@pytest.fixture(autouse=True)
def _fresh_check() -> Iterator[None]:
    from tollway import health

    health.forget()
    yield
    health.forget()


def test_health_says_the_store_answers(gateway) -> None:
    response = httpx.get(f"{gateway.url}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["store"]["ok"] is True and body["uptime"] >= 0
    assert isinstance(body["store"]["latency_ms"], float)
    assert response.headers["cache-control"] == "no-store"


def test_health_is_503_when_the_store_does_not_answer_and_caches_its_check_for_a_few_seconds(gateway) -> None:
    assert httpx.get(f"{gateway.url}/health").status_code == 200
    with changed_environment(AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}"):  # nothing listens there
        cached = httpx.get(f"{gateway.url}/health")
        assert cached.status_code == 200  # the check made a moment ago still stands
        from tollway import health

        health.forget()  # as if CACHE_S had passed
        started = time.monotonic()
        down = httpx.get(f"{gateway.url}/health", timeout=10)
        assert time.monotonic() - started < 5  # no retries, short timeouts
        assert down.status_code == 503
        assert down.json()["ok"] is False and down.json()["store"]["ok"] is False
        assert "127.0.0.1" not in down.text  # why is logged, not told
    health.forget()
    assert httpx.get(f"{gateway.url}/health").status_code == 200


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_the_provider_check_calls_each_configured_provider_and_never_shows_a_key(gateway, environment,
                                                                                  monkeypatch) -> None:
    from tollway.providers import health

    monkeypatch.setattr(health, "TIMEOUT_S", 1.0)
    admin = {"authorization": f"Bearer {environment}"}
    assert httpx.get(f"{gateway.url}/admin/health/providers").status_code == 401
    secrets = {"DEEPSEEK_API_KEY": "sk-deepseek-secret-never-shown-0001", "GROQ_API_KEY": "gsk-groq-secret-never-shown"}
    with silent_server() as silent, changed_environment(
            DEEPSEEK_BASE_URL=f"http://127.0.0.1:{free_port()}/v1", GROQ_BASE_URL=silent, **secrets):
        started = time.monotonic()
        response = httpx.get(f"{gateway.url}/admin/health/providers", headers=admin, timeout=10)
        assert time.monotonic() - started < 4  # the checks run at once, each within its timeout
    assert response.status_code == 200, response.text
    report = response.json()
    found = {p["provider"]: p for p in report["providers"]}
    assert {"openai", "anthropic", "gemini", "local", "deepseek", "groq"} <= set(found)
    for name in ("openai", "anthropic", "gemini"):  # the fakes serve their real model-list routes
        assert found[name]["ok"] is True and found[name]["status"] == 200, found[name]
        assert found[name]["latency_ms"] >= 0
    assert found["deepseek"]["ok"] is False and found["deepseek"]["error"]["code"] == "upstream_error"
    assert found["groq"]["ok"] is False and found["groq"]["error"]["code"] == "upstream_timeout"
    assert report["ok"] is False
    for secret in [*secrets.values(), "sk-upstream-secret-never-shown"]:
        assert secret not in response.text and secret[:8] not in response.text
