"""Webhook delivery against real receivers on 127.0.0.1: signing, retries, backoff, no redirects, TLS by name."""

from __future__ import annotations

import asyncio
import datetime
import json
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.server import ThreadedServer, free_port
from tollway.operations.webhooks import SIGNATURE_HEADER, WEBHOOK_ID_HEADER, DeliveryResult, deliver, verify

SECRET = b"whsec_delivery_test"
PAYLOAD = {"id": "op_123", "object": "operation", "status": "completed", "note": "ünïcode"}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool


class Receiver:
    """An ASGI webhook receiver that answers from a script (the last answer repeats) and verifies signatures."""

    def __init__(self, *answers: tuple[int, dict[str, str]], delay_s: float = 0.0) -> None:
        self.answers = answers or ((200, {}),)
        self.delay_s = delay_s
        self.received: list[Received] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.received.append(Received(scope["path"], headers, body,
                                      verify(SECRET, headers.get(SIGNATURE_HEADER.lower(), ""), body)))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        status, extra = self.answers[min(len(self.received), len(self.answers)) - 1]
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.encode(), v.encode()) for k, v in extra.items()]})
        await send({"type": "http.response.body", "body": b"receiver says: never logged"})


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run(url: str, sleeps: Sleeps, **options: Any) -> DeliveryResult:
    options.setdefault("allow_private", True)
    return asyncio.run(deliver(url, PAYLOAD, SECRET, sleep=sleeps, rng=lambda: 0.5, **options))


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadedServer] = []

    def start(receiver: Receiver, **options: Any) -> ThreadedServer:
        servers.append(ThreadedServer(receiver, **options).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_delivery_retries_server_errors_with_backoff_then_succeeds_signed(serve: Any) -> None:
    receiver = Receiver((500, {}), (503, {}), (200, {}))
    sleeps = Sleeps()
    result = run(serve(receiver).url + "/hooks/tollway", sleeps, base_delay_s=1.0)
    assert (result.delivered, result.attempts, result.status, result.error) == (True, 3, 200, None)
    assert sleeps == [0.5, 1.0]  # full jitter with rng=0.5: half of 1 s, then half of 2 s
    assert [r.signature_valid for r in receiver.received] == [True, True, True]
    assert {r.headers[WEBHOOK_ID_HEADER.lower()] for r in receiver.received} == {result.webhook_id}
    first = receiver.received[0]
    assert first.path == "/hooks/tollway" and first.headers["content-type"] == "application/json"
    assert json.loads(first.body) == PAYLOAD


def test_client_errors_are_not_retried(serve: Any) -> None:
    receiver = Receiver((400, {}))
    sleeps = Sleeps()
    result = run(serve(receiver).url, sleeps)
    assert (result.delivered, result.attempts, result.status, result.error) == (False, 1, 400, "http_400")
    assert sleeps == [] and len(receiver.received) == 1


@pytest.mark.parametrize(("retry_after", "expected_wait"), [
    ("7", 7.0),
    ("120", 30.0),  # capped at max_delay_s
    (lambda now: datetime.datetime.fromtimestamp(now + 12, datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"), 12.0),
    ("soon", 0.5),  # unreadable: ordinary backoff
])
def test_retry_after_is_honoured_up_to_the_maximum_delay(serve: Any, retry_after: Any, expected_wait: float) -> None:
    now = 1_767_225_600.0
    value = retry_after(now) if callable(retry_after) else retry_after
    receiver = Receiver((429, {"retry-after": value}), (200, {}))
    sleeps = Sleeps()
    result = run(serve(receiver).url, sleeps, max_delay_s=30, clock=lambda: now)
    assert result.delivered and result.attempts == 2
    assert sleeps == [pytest.approx(expected_wait)]


def test_delivery_gives_up_after_the_last_attempt(serve: Any) -> None:
    sleeps = Sleeps()
    result = run(serve(Receiver((502, {}))).url, sleeps, attempts=3, base_delay_s=2.0, max_delay_s=3.0)
    assert (result.delivered, result.attempts, result.status, result.error) == (False, 3, 502, "http_502")
    assert sleeps == [1.0, 1.5]  # 0.5 * min(3, 2), 0.5 * min(3, 4)


def test_redirects_are_not_followed(serve: Any) -> None:
    target = Receiver()
    redirecting = Receiver((307, {"location": serve(target).url + "/elsewhere"}))
    result = run(serve(redirecting).url, Sleeps())
    assert (result.delivered, result.attempts, result.status) == (False, 1, 307)
    assert target.received == []


def test_private_receiver_is_refused_without_allow_private(serve: Any) -> None:
    receiver = Receiver()
    result = run(serve(receiver).url, Sleeps(), allow_private=False)
    assert (result.delivered, result.attempts, result.error) == (False, 0, "refused")
    assert receiver.received == []


def test_delivery_connects_to_the_checked_address_with_the_original_host_header(serve: Any) -> None:
    receiver = Receiver()
    server = serve(receiver)
    lookups: list[str] = []

    def resolver(host: str, port: int) -> Sequence[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    result = run(f"http://hooks.test:{server.port}/in?token=abc", Sleeps(), resolver=resolver)
    assert result.delivered
    assert lookups == ["hooks.test"]  # resolved once, by the guard; httpx was handed the address
    assert receiver.received[0].headers["host"] == f"hooks.test:{server.port}"


def test_connection_errors_and_timeouts_are_retried(serve: Any) -> None:
    refused = run(f"http://127.0.0.1:{free_port()}/", sleeps := Sleeps(), attempts=2)
    assert (refused.delivered, refused.attempts, refused.error, len(sleeps)) == (False, 2, "connection_error", 1)
    slow = Receiver(delay_s=2.0)
    timed_out = run(serve(slow).url, Sleeps(), attempts=1, timeout_s=0.2)
    assert (timed_out.delivered, timed_out.attempts, timed_out.error) == (False, 1, "timeout")


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A private CA and a server certificate for the name hooks.test only (no IP address in it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tollway test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks.test")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("hooks.test")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    files = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return files


def test_https_delivery_verifies_the_certificate_for_the_host_name_not_the_address(serve: Any,
                                                                                   tls_files: dict[str, Path]) -> None:
    receiver = Receiver()
    server = serve(receiver, ssl_certfile=str(tls_files["cert"]), ssl_keyfile=str(tls_files["key"]))
    trust = ssl.create_default_context(cafile=str(tls_files["ca"]))

    def resolver(host: str, port: int) -> Sequence[str]:
        return ["127.0.0.1"]

    ok = run(f"https://hooks.test:{server.port}/", Sleeps(), resolver=resolver, ssl_context=trust)
    assert ok.delivered and receiver.received[0].signature_valid
    # The same server under another name: the certificate does not match it, so nothing is sent.
    wrong = run(f"https://other.test:{server.port}/", Sleeps(), resolver=resolver, ssl_context=trust, attempts=1)
    assert (wrong.delivered, wrong.error) == (False, "connection_error")
    assert len(receiver.received) == 1
