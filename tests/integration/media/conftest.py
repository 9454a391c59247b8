"""The in-process gateway with every media provider pointed at the fakes, for this folder's tests only
(the session environment is restored afterwards, so other tests see the providers they expect)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Admin, bearer
from tests.environment import changed_environment
from tests.fakes.media_upstreams import FakeMedia
from tests.fakes.openai_upstream import FakeOpenAI
from tests.fakes.server import ThreadedServer


@pytest.fixture(scope="package", autouse=True)
def media_env(environment: str, upstream: FakeOpenAI, media: FakeMedia) -> Iterator[dict[str, str]]:
    env = media.env(upstream.base_url)
    with changed_environment(**env):
        yield env


class Caller:
    """One key's view of the gateway: `caller.post("/v1/embeddings", json=…)`."""

    def __init__(self, gateway: ThreadedServer, admin: Admin, credits: float | str = 10, **fields: Any) -> None:
        self.key = admin.create_key(credits=credits, **fields)
        self.id = self.key["id"]
        self.admin = admin
        self.http = httpx.Client(base_url=gateway.url, headers=bearer(self.key), timeout=10)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.delete(path, **kw)

    def balance(self) -> Any:
        return self.admin.balance(self.id)

    def usage(self) -> list[dict[str, Any]]:
        return self.admin.usage(self.id)


@pytest.fixture()
def caller(gateway: ThreadedServer, admin: Admin) -> Iterator[Caller]:
    made = Caller(gateway, admin)
    yield made
    made.http.close()


@pytest.fixture()
def make_caller(gateway: ThreadedServer, admin: Admin) -> Iterator[Any]:
    made: list[Caller] = []

    def make(credits: float | str = 10, **fields: Any) -> Caller:
        made.append(Caller(gateway, admin, credits, **fields))
        return made[-1]

    yield make
    for one in made:
        one.http.close()


@pytest.fixture()
def storage_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`storage_limit(100)`: this test's per-key storage limit in bytes."""
    from tollway import config

    def set_limit(limit: int) -> None:
        monkeypatch.setenv("TOLLWAY_STORAGE_LIMIT_BYTES", str(limit))
        config.reset_for_tests()

    yield set_limit
    monkeypatch.undo()
    config.reset_for_tests()


JSONL = b'{"custom_id": "1", "body": {}}\n{"custom_id": "2", "body": {}}\n'


def upload(caller: Caller, data: bytes = JSONL, name: str = "batch.jsonl", purpose: str = "batch",
           content_type: str = "application/jsonl") -> httpx.Response:
    return caller.post("/v1/files", data={"purpose": purpose}, files={"file": (name, data, content_type)})


def objects_under(prefix: str) -> list[str]:
    from tollway.aws_clients import client
    from tollway.config import settings

    listed = client("s3").list_objects_v2(Bucket=settings().files_bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def records_of(key_id: str) -> list[str]:
    """The ids of a key's FilesTable items (files and uploads)."""
    from tollway.aws_clients import client
    from tollway.config import settings

    items = client("dynamodb").query(TableName=settings().files_table, KeyConditionExpression="key_id = :k",
                                     ExpressionAttributeValues={":k": {"S": key_id}}, ConsistentRead=True)["Items"]
    return [item["id"]["S"] for item in items]


def used_bytes(key_id: str) -> int:
    from tollway.storage.quota import storage_of

    return storage_of(key_id).used


def send_upload(created: dict[str, Any], data: bytes) -> httpx.Response:
    """Send an upload's bytes the way its answer says: the presigned form (fields, then the file),
    or a presigned PUT. Plain HTTP straight to S3, no gateway key."""
    if created.get("upload_method") == "POST":
        fields = created["upload_fields"]
        return httpx.post(created["upload_url"], data=fields, timeout=30,
                          files={"file": (created["filename"], data, fields["Content-Type"])})
    return httpx.put(created["upload_url"], content=data, timeout=30)
