"""SSRF, named attack by attack, against real sockets on loopback.

The gateway itself connects to a client's URL in one place only: webhook delivery, through the guard
in operations/destination.py (every address checked, the checked address dialled, no redirects).
Image URLs in chat and image analysis are handed to the model's provider as URLs — the gateway never
fetches them; custom upstream base URLs are the operator's (TOLLWAY_UPSTREAMS), never a client's.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.fakes.openai_upstream import FakeOpenAI
from tests.fakes.server import ThreadedServer
from tollway.operations.webhooks import deliver


class Counted:
    """A real HTTP server on 127.0.0.1 that counts every request and answers `status` (+ Location)."""

    def __init__(self, status: int = 200, location: str = "") -> None:
        self.hits: list[str] = []
        counted = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                counted.hits.append(f"{self.command} {self.path}")
                self.send_response(status)
                if location:
                    self.send_header("location", location)
                self.send_header("content-length", "0")
                self.end_headers()

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def internal() -> Iterator[Counted]:
    """Stands for what must never be reached: the metadata service, an internal admin port."""
    server = Counted()
    yield server
    server.close()


def test_a_webhook_receiver_redirecting_to_an_internal_address_is_not_followed(internal: Counted) -> None:
    redirector = Counted(status=302, location=f"{internal.url}/latest/meta-data/iam/security-credentials/")
    try:
        result = asyncio.run(deliver(f"{redirector.url}/hook", {"id": "op_1"}, b"whsec", attempts=1,
                                     allow_private=True))
    finally:
        redirector.close()
    assert redirector.hits == ["POST /hook"] and internal.hits == []
    assert not result.delivered and result.status == 302


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/",
                                 "http://metadata.attacker.test/", "http://2852039166/"])
def test_a_webhook_to_the_metadata_service_is_refused_before_any_connection(url: str) -> None:
    resolver = {"metadata.attacker.test": ["169.254.169.254"]}
    result = asyncio.run(deliver(url, {"id": "op_1"}, b"whsec", attempts=1,
                                 resolver=lambda host, port: resolver.get(host, [host])))
    assert not result.delivered and result.attempts == 0 and result.error == "refused"


def test_a_webhook_name_resolving_to_a_public_and_a_private_address_is_refused() -> None:
    resolver = {"mixed.attacker.test": ["93.184.215.14", "10.0.0.5"]}  # DNS answering both: never dialled
    result = asyncio.run(deliver("https://mixed.attacker.test/hook", {"id": "op_1"}, b"whsec", attempts=1,
                                 resolver=lambda host, port: resolver[host]))
    assert result.error == "refused" and result.attempts == 0


def test_an_image_url_in_chat_or_image_analysis_is_handed_on_never_fetched_by_the_gateway(
        gateway: ThreadedServer, admin: Any, upstream: FakeOpenAI, internal: Counted) -> None:
    key = admin.create_key(credits=10)["key"]
    headers = {"authorization": f"Bearer {key}"}
    image = f"{internal.url}/latest/meta-data/image.png"
    chat = httpx.post(f"{gateway.url}/v1/chat/completions", headers=headers, timeout=30, json={
        "model": "gpt-4o-mini", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "what is this?"}, {"type": "image_url", "image_url": {"url": image}}]}]})
    analysis = httpx.post(f"{gateway.url}/v1/images/analysis", headers=headers, timeout=30,
                          json={"prompt": "what is this?", "image_url": image, "model": "gpt-4o-mini"})
    assert chat.status_code == 200, chat.text
    assert analysis.status_code < 500, analysis.text
    assert internal.hits == []  # the provider (here the fake, which fetches nothing) gets the URL, as sent
    assert image in str(upstream.requests[0].body)
