"""Revoking a key stops its writes at once — each write checks the key's item in its own condition,
whatever this process's key cache remembers — and its reads within the cache's TTL
(TOLLWAY_KEY_CACHE_TTL, 5 s by default)."""

import time
from collections.abc import Iterator

import pytest

from tests.environment import changed_environment
from tests.integration.media.conftest import objects_under, records_of, send_upload, upload, used_bytes


@pytest.fixture()
def long_key_cache() -> Iterator[None]:
    """A cache that certainly still trusts the key when the write arrives: the write's own check is on trial."""
    with changed_environment(TOLLWAY_KEY_CACHE_TTL="60"):
        yield


def revoke_after_a_read(caller) -> None:
    assert caller.get("/v1/files").status_code == 200  # the key is now in this process's key cache
    assert caller.admin.http.delete(f"/admin/keys/{caller.id}").status_code == 204
    assert caller.get("/v1/files").status_code == 200  # reads are still answered from the cache


def assert_revoked(response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "revoked_api_key"
    assert "x-storage-used-bytes" not in response.headers


def start(caller, size: int = 10):
    return caller.post("/v1/uploads", json={"filename": "a.bin", "purpose": "user_data", "bytes": size,
                                            "mime_type": "application/octet-stream"})


def test_a_revoked_key_cannot_create_a_file_while_the_cache_still_trusts_it(caller, long_key_cache) -> None:
    revoke_after_a_read(caller)
    assert_revoked(upload(caller))
    assert objects_under(f"keys/{caller.id}/") == [] and records_of(caller.id) == [] and used_bytes(caller.id) == 0


def test_a_revoked_key_cannot_delete_a_file_while_the_cache_still_trusts_it(caller, long_key_cache) -> None:
    file = upload(caller).json()
    revoke_after_a_read(caller)
    assert_revoked(caller.delete(f"/v1/files/{file['id']}"))
    assert objects_under(f"keys/{caller.id}/") == [f"keys/{caller.id}/files/{file['id']}"]
    assert records_of(caller.id) == [file["id"]] and used_bytes(caller.id) == file["bytes"]
    assert caller.get(f"/v1/files/{file['id']}/content").status_code == 200  # intact


def test_a_revoked_key_cannot_create_an_upload_while_the_cache_still_trusts_it(caller, long_key_cache) -> None:
    revoke_after_a_read(caller)
    assert_revoked(start(caller))
    assert records_of(caller.id) == [] and used_bytes(caller.id) == 0


def test_a_revoked_key_cannot_complete_an_upload_while_the_cache_still_trusts_it(caller, long_key_cache) -> None:
    created = start(caller).json()
    send_upload(created, b"0123456789")
    revoke_after_a_read(caller)
    assert_revoked(caller.post(f"/v1/uploads/{created['id']}/complete", json={}))
    assert objects_under(f"keys/{caller.id}/") == []  # no File's object, and no File
    assert records_of(caller.id) == [created["id"]] and used_bytes(caller.id) == 10  # the reservation, unchanged


def test_a_revoked_key_cannot_cancel_an_upload_while_the_cache_still_trusts_it(caller, long_key_cache) -> None:
    created = start(caller).json()
    revoke_after_a_read(caller)
    assert_revoked(caller.post(f"/v1/uploads/{created['id']}/cancel"))
    assert used_bytes(caller.id) == 10 and records_of(caller.id) == [created["id"]]


def test_a_revoked_keys_reads_end_within_the_key_cache_ttl(caller) -> None:
    with changed_environment(TOLLWAY_KEY_CACHE_TTL="0.3"):
        assert caller.get("/v1/files").status_code == 200
        assert caller.admin.http.delete(f"/admin/keys/{caller.id}").status_code == 204
        revoked_at = time.monotonic()
        deadline = revoked_at + 10
        while (read := caller.get("/v1/files")).status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert_revoked(read)
        assert time.monotonic() - revoked_at < 5


def test_the_key_cache_trusts_a_key_for_5_seconds_by_default() -> None:
    from tollway.config import settings

    with changed_environment(TOLLWAY_KEY_CACHE_TTL=None):
        assert settings().key_cache_ttl_s == 5.0
