"""Faults injected at every store call a request makes, with botocore's own event hooks on the real
clients talking to the emulator: throttling, a 5xx, a timeout and a lost conditional write, on
DynamoDB, S3 and Step Functions, one call site at a time.

Each request is answered (the code may handle the fault) or refused with a 429 or 503 carrying
`Retry-After` in its surface's shape — never a 500 — and the ledger stays conserved; a file whose
upload failed is not listed, and an operation that could not start is failed and refunded.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

from tests.fakes.openai_upstream import FakeOpenAI
from tests.fakes.server import ThreadedServer
from tests.ledger_books import assert_conserved
from tollway import aws_clients

SERVICES = ("dynamodb", "s3", "stepfunctions")
FAULTS = {
    "throttled": lambda op: _answer(400, "ThrottlingException" if op != "s3" else "SlowDown"),
    "server_error": lambda op: _answer(500, "InternalServerError"),
    "timeout": None,  # raised: botocore's ReadTimeoutError
    "conditional": lambda op: _answer(400, "ConditionalCheckFailedException"),
}


def _answer(status: int, code: str) -> tuple[AWSResponse, dict[str, Any]]:
    return (AWSResponse("https://emulator.invalid/", status, {}, None),
            {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}})


@dataclass
class Injector:
    """Counts the store calls of one service and fails the `fail_at`-th one (None: fail none)."""

    service: str
    fault: str = ""
    fail_at: int | None = None
    seen: list[str] = field(default_factory=list)

    def __call__(self, model: Any, **_: Any) -> Any:
        if model.service_model.service_name != self.service:
            return None
        self.seen.append(model.name)
        if self.fail_at is None or len(self.seen) - 1 != self.fail_at:
            return None
        make = FAULTS[self.fault]
        if make is None:
            raise ReadTimeoutError(endpoint_url="https://emulator.invalid/")
        return make(self.service)


@contextmanager
def injected(injector: Injector) -> Iterator[Injector]:
    clients = [aws_clients.client(name) for name in SERVICES]
    for client in clients:
        client.meta.events.register_first("before-call", injector, unique_id="fault-injector")
    try:
        yield injector
    finally:
        for client in clients:
            client.meta.events.unregister("before-call", unique_id="fault-injector")


def _checked(response: httpx.Response, where: str) -> None:
    assert response.status_code < 500 or response.status_code == 503, \
        f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code in (429, 503):
        assert response.headers.get("retry-after", "").isdigit(), where
        error = response.json()["error"]
        assert error["code"] in ("store_throttled", "store_unavailable", "rate_limit_exceeded") or \
            error["type"], where


def _every_site(service: str, send: Callable[[], httpx.Response], after: Callable[[httpx.Response], None]) -> int:
    with injected(Injector(service)) as clean:
        assert send().status_code < 300
    sites = len(clean.seen)
    for fault in FAULTS:
        for at in range(sites):
            with injected(Injector(service, fault, at)) as injector:
                response = send()
            where = f"{fault} at {service} call {at} ({injector.seen[at] if at < len(injector.seen) else '?'})"
            _checked(response, where)
            after(response)
    return sites


def _micro(credits: str) -> int:
    return int(Decimal(credits) * 1_000_000)


def test_a_failing_store_under_chat_is_a_429_or_503_and_the_ledger_stays_conserved(
        gateway: ThreadedServer, admin: Any, upstream: FakeOpenAI) -> None:
    key = admin.create_key(credits=100)
    http = httpx.Client(base_url=gateway.url, headers={"authorization": f"Bearer {key['key']}"}, timeout=30)

    def chat() -> httpx.Response:
        return http.post("/v1/chat/completions", json={"model": "gpt-4o-mini",
                                                      "messages": [{"role": "user", "content": "hi"}]})

    sites = _every_site("dynamodb", chat, lambda _: assert_conserved(key["id"], _micro("100")))
    assert sites >= 0  # warm caches may leave a chat no DynamoDB call at all: the sweep then has none
    fresh = admin.create_key(credits=1)
    with injected(Injector("dynamodb", "throttled", 0)):  # a fresh key: its first call reads the store
        response = httpx.post(f"{gateway.url}/v1/chat/completions", timeout=30,
                              headers={"authorization": f"Bearer {fresh['key']}"},
                              json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    assert response.status_code == 429 and response.headers["retry-after"] == "1", response.text
    assert response.json()["error"]["code"] == "store_throttled"
    assert_conserved(fresh["id"], _micro("1"))


def test_a_failing_store_under_a_file_upload_leaves_no_half_written_file(gateway: ThreadedServer, admin: Any) -> None:
    key = admin.create_key(credits=10)
    http = httpx.Client(base_url=gateway.url, headers={"authorization": f"Bearer {key['key']}"}, timeout=30)

    def upload() -> httpx.Response:
        return http.post("/v1/files", data={"purpose": "user_data"}, files={"file": ("a.txt", b"hello", "text/plain")})

    def every_listed_file_reads_back(_: httpx.Response) -> None:
        for listed in http.get("/v1/files").json()["data"]:
            content = http.get(f"/v1/files/{listed['id']}/content")
            assert content.status_code == 200 and content.content == b"hello", listed

    for service in ("s3", "dynamodb"):
        _every_site(service, upload, every_listed_file_reads_back)
    assert_conserved(key["id"], _micro("10"))


def test_an_operation_whose_start_fails_is_refunded_and_never_left_running(gateway: ThreadedServer, admin: Any) -> None:
    key = admin.create_key(credits=10)
    http = httpx.Client(base_url=gateway.url, headers={"authorization": f"Bearer {key['key']}"}, timeout=30)
    document = base64.b64encode(b"# Title\n\nSome text to parse.\n").decode()

    def parse_async() -> httpx.Response:
        return http.post("/v1/documents/parse", json={"data": document, "filename": "a.md", "async": True})

    def not_orphaned(response: httpx.Response) -> None:
        if response.status_code in (429, 503):
            assert "operation" not in response.text
        assert_conserved(key["id"], _micro("10"))

    for service in ("stepfunctions", "s3"):
        _every_site(service, parse_async, not_orphaned)
