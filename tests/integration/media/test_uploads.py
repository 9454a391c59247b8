"""Presigned uploads for files larger than a request can carry: POST /v1/uploads → PUT to S3 →
complete; the declared size is held against the quota and given back if the upload never completes."""

import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.integration.media.conftest import objects_under, records_of, upload, used_bytes

BIG = bytes(range(256)) * (5 * 4096 + 7)  # a little over 5 MiB: larger than the inline content limit


def start(caller, size: int, filename: str = "big.bin") -> httpx.Response:
    return caller.post("/v1/uploads", json={"filename": filename, "purpose": "user_data", "bytes": size,
                                            "mime_type": "application/octet-stream"})


def test_a_large_file_goes_up_by_presigned_put_and_comes_back_by_redirect(caller) -> None:
    created = start(caller, len(BIG))
    assert created.status_code == 200, created.text
    upload_ = created.json()
    assert upload_["object"] == "upload" and upload_["status"] == "pending" and upload_["file"] is None
    assert upload_["expires_at"] - upload_["created_at"] == 3600
    url = upload_["upload_url"]
    assert urlsplit(url).path.startswith(f"/tollway-filesbucket/keys/{caller.id}/files/file-")
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["3600"]
    assert created.headers["x-storage-used-bytes"] == str(len(BIG))

    assert httpx.put(url, content=BIG, timeout=30).status_code == 200  # plain HTTP, no gateway key
    completed = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={"part_ids": []})
    assert completed.status_code == 200, completed.text
    file = completed.json()["file"]
    assert completed.json()["status"] == "completed"
    assert (file["bytes"], file["filename"], file["purpose"]) == (len(BIG), "big.bin", "user_data")
    assert caller.get(f"/v1/files/{file['id']}").json() == file
    assert used_bytes(caller.id) == len(BIG)

    content = caller.get(f"/v1/files/{file['id']}/content")
    assert content.status_code == 302 and f"/keys/{caller.id}/files/{file['id']}" in content.headers["location"]
    assert caller.get(f"/v1/files/{file['id']}/content", follow_redirects=True).content == BIG
    again = caller.post(f"/v1/uploads/{upload_['id']}/complete")  # no body is fine; twice answers the same
    assert again.status_code == 200 and again.json()["file"]["id"] == file["id"]


def test_completing_before_the_put_or_with_the_wrong_size_is_a_clear_400(caller) -> None:
    upload_ = start(caller, 10).json()
    early = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert early.status_code == 400 and early.json()["error"]["code"] == "upload_incomplete"
    httpx.put(upload_["upload_url"], content=b"12345")
    wrong = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "upload_size_mismatch"
    assert "5 bytes" in wrong.json()["error"]["message"] and objects_under(f"keys/{caller.id}/") == []
    httpx.put(upload_["upload_url"], content=b"0123456789")  # the upload stays pending: try again
    assert caller.post(f"/v1/uploads/{upload_['id']}/complete", json={}).status_code == 200


def test_a_cancelled_upload_gives_its_bytes_back_and_removes_what_was_put(caller) -> None:
    upload_ = start(caller, 10).json()
    httpx.put(upload_["upload_url"], content=b"0123456789")
    cancelled = caller.post(f"/v1/uploads/{upload_['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.headers["x-storage-used-bytes"] == "0" and objects_under(f"keys/{caller.id}/") == []
    assert caller.get("/v1/files").json()["data"] == []
    late = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert late.status_code == 400 and late.json()["error"]["code"] == "upload_cancelled"


def test_an_expired_upload_is_released_when_it_is_completed_too_late(caller, monkeypatch) -> None:
    import tollway.storage.uploads as uploads

    upload_ = start(caller, 10).json()
    httpx.put(upload_["upload_url"], content=b"0123456789")
    monkeypatch.setattr(uploads, "time", SimpleNamespace(time=lambda: time.time() + 3601))
    late = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert late.status_code == 400 and late.json()["error"]["code"] == "upload_expired"
    assert used_bytes(caller.id) == 0 and objects_under(f"keys/{caller.id}/") == []


def test_expired_uploads_are_released_when_the_quota_would_refuse(caller, monkeypatch, storage_limit) -> None:
    import tollway.storage.uploads as uploads

    storage_limit(100)
    start(caller, 80)
    assert upload(caller, data=b"x" * 50).status_code == 413  # the pending upload still holds 80 bytes
    monkeypatch.setattr(uploads, "time", SimpleNamespace(time=lambda: time.time() + 3601))
    assert upload(caller, data=b"x" * 50).status_code == 200
    assert used_bytes(caller.id) == 50


def test_an_upload_larger_than_the_quota_is_refused_at_creation(caller, storage_limit) -> None:
    storage_limit(1000)
    refused = start(caller, 1001)
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "storage_quota_exceeded"
    assert records_of(caller.id) == [] and used_bytes(caller.id) == 0


def test_another_key_cannot_complete_or_cancel_an_upload(caller, make_caller) -> None:
    upload_ = start(caller, 10).json()
    intruder = make_caller()
    for path in (f"/v1/uploads/{upload_['id']}/complete", f"/v1/uploads/{upload_['id']}/cancel"):
        response = intruder.post(path, json={})
        assert response.status_code == 404 and response.json()["error"]["code"] == "upload_not_found"


@pytest.mark.parametrize(("body", "param"), [
    ({"purpose": "batch", "bytes": 1, "mime_type": "text/plain"}, "filename"),
    ({"filename": "a", "purpose": "batch", "bytes": 0, "mime_type": "text/plain"}, "bytes"),
    ({"filename": "a", "purpose": "nope", "bytes": 1, "mime_type": "text/plain"}, "purpose"),
    ({"filename": "a", "purpose": "batch", "bytes": 1, "mime_type": "not a type"}, "mime_type"),
], ids=["no-filename", "zero-bytes", "bad-purpose", "bad-mime"])
def test_bad_upload_requests_are_a_400(caller, body, param: str) -> None:
    response = caller.post("/v1/uploads", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param
    assert response.headers["x-storage-used-bytes"] == "0"
