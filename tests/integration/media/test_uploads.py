"""Presigned uploads for files larger than a request can carry: POST /v1/uploads → a presigned S3
POST form → complete; the declared size is held against the quota and given back if the upload never
completes. The form binds the size and type, writes only to a staging key nothing reads, and
completion checks the real size: the form can never change a File, nor exceed what was declared."""

import base64
import json
import time
from types import SimpleNamespace
from datetime import datetime
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.media.conftest import objects_under, records_of, send_upload, upload, used_bytes
from tests.integration.media.test_chat_file_references import with_file

BIG = bytes(range(256)) * (5 * 4096 + 7)  # a little over 5 MiB: larger than the inline content limit


MORE = b"z" * (3 * 1024 * 1024)  # more than any upload here declares: a few MB prove what 80 would


def start(caller, size: int, filename: str = "big.bin", mime_type: str = "application/octet-stream") -> httpx.Response:
    return caller.post("/v1/uploads", json={"filename": filename, "purpose": "user_data", "bytes": size,
                                            "mime_type": mime_type})


def future_file_id(key_id: str, upload_id: str) -> str:
    """The id of the File a pending upload will become (kept on its record, never shown to the client)."""
    from tollway.aws_clients import client
    from tollway.config import settings

    item = client("dynamodb").get_item(TableName=settings().files_table, ConsistentRead=True,
                                       Key={"key_id": {"S": key_id}, "id": {"S": upload_id}})["Item"]
    return item["file_id"]["S"]


def policy_of(upload_: dict) -> dict:
    return json.loads(base64.b64decode(upload_["upload_fields"]["policy"]))


def test_a_large_file_goes_up_by_presigned_post_and_comes_back_by_redirect(caller) -> None:
    created = start(caller, len(BIG))
    assert created.status_code == 200, created.text
    upload_ = created.json()
    assert upload_["object"] == "upload" and upload_["status"] == "pending" and upload_["file"] is None
    assert upload_["expires_at"] - upload_["created_at"] == 3600
    assert upload_["upload_method"] == "POST" and urlsplit(upload_["upload_url"]).path == "/tollway-filesbucket"
    fields = upload_["upload_fields"]
    assert fields["key"] == f"uploads/{caller.id}/{upload_['id']}"
    assert fields["Content-Type"] == "application/octet-stream"
    assert {"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "policy"} <= set(fields)
    assert created.headers["x-storage-used-bytes"] == str(len(BIG))

    assert send_upload(upload_, BIG).status_code == 204  # plain HTTP, no gateway key
    assert objects_under(f"keys/{caller.id}/") == []  # nothing is a file before completion
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
    assert objects_under(f"uploads/{caller.id}/") == []  # the staged object is gone


def test_completing_before_the_put_or_with_the_wrong_size_is_a_clear_400(caller) -> None:
    upload_ = start(caller, 10).json()
    early = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert early.status_code == 400 and early.json()["error"]["code"] == "upload_incomplete"
    send_upload(upload_, b"12345")
    wrong = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "upload_size_mismatch"
    assert "5 bytes" in wrong.json()["error"]["message"]
    assert objects_under(f"keys/{caller.id}/") == objects_under(f"uploads/{caller.id}/") == []
    send_upload(upload_, b"0123456789")  # the upload stays pending: try again
    assert caller.post(f"/v1/uploads/{upload_['id']}/complete", json={}).status_code == 200


def test_a_presigned_upload_cannot_change_a_file_after_it_is_completed(caller) -> None:
    upload_ = start(caller, 10, "small.txt", "text/plain").json()
    assert send_upload(upload_, b"0123456789").status_code in (200, 204)
    completed = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert completed.status_code == 200, completed.text
    file = completed.json()["file"]
    # The same upload URL again, after completion, with far more than was declared (the emulator does
    # not evaluate the form's policy, so it takes them; S3 itself would refuse the length).
    send_upload(upload_, MORE)
    content = caller.get(f"/v1/files/{file['id']}/content")
    assert content.status_code == 200 and content.content == b"0123456789"
    assert caller.get(f"/v1/files/{file['id']}").json()["bytes"] == 10
    assert caller.post(f"/v1/uploads/{upload_['id']}/complete", json={}).json()["file"] == file
    assert used_bytes(caller.id) == 10
    assert objects_under(f"keys/{caller.id}/") == [f"keys/{caller.id}/files/{file['id']}"]


def test_more_bytes_than_declared_are_bound_by_the_form_and_refused_at_complete(caller) -> None:
    upload_ = start(caller, 10).json()
    policy = policy_of(upload_)
    assert ["content-length-range", 10, 10] in policy["conditions"]
    assert {"Content-Type": "application/octet-stream"} in policy["conditions"]
    assert {"key": f"uploads/{caller.id}/{upload_['id']}"} in policy["conditions"]
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00")).timestamp()
    assert abs(expires - upload_["expires_at"]) <= 2
    # moto's S3 does not evaluate POST policies: the bytes land, and the gateway's own check refuses them.
    send_upload(upload_, MORE)
    refused = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "upload_size_mismatch"
    assert f"{len(MORE)} bytes" in refused.json()["error"]["message"]
    assert objects_under(f"keys/{caller.id}/") == objects_under(f"uploads/{caller.id}/") == []
    assert records_of(caller.id) == [upload_["id"]] and used_bytes(caller.id) == 10  # still held, still pending


def test_an_uncompleted_uploads_file_id_names_nothing(caller, upstream) -> None:
    upload_ = start(caller, 11, "notes.txt", "text/plain").json()
    send_upload(upload_, b"hello there")
    for file_id in (future_file_id(caller.id, upload_["id"]), upload_["id"]):
        chat = caller.post("/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": with_file(file_id)})
        assert chat.status_code == 404 and chat.json()["error"]["code"] == "file_not_found", chat.text
        parsed = caller.post("/v1/documents/parse", json={"file_id": file_id})
        assert parsed.status_code == 404 and parsed.json()["error"]["code"] == "file_not_found"
        for path in (f"/v1/files/{file_id}", f"/v1/files/{file_id}/content"):
            assert caller.get(path).status_code == 404
    assert upstream.requests == [] and caller.usage() == []


def test_a_cancelled_upload_gives_its_bytes_back_and_removes_what_was_put(caller) -> None:
    upload_ = start(caller, 10).json()
    send_upload(upload_, b"0123456789")
    cancelled = caller.post(f"/v1/uploads/{upload_['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.headers["x-storage-used-bytes"] == "0"
    assert objects_under(f"keys/{caller.id}/") == objects_under(f"uploads/{caller.id}/") == []
    assert caller.get("/v1/files").json()["data"] == []
    late = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert late.status_code == 400 and late.json()["error"]["code"] == "upload_cancelled"


def test_an_expired_upload_is_released_when_it_is_completed_too_late(caller, monkeypatch) -> None:
    import tollway.storage.uploads as uploads

    upload_ = start(caller, 10).json()
    send_upload(upload_, b"0123456789")
    monkeypatch.setattr(uploads, "time", SimpleNamespace(time=lambda: time.time() + 3601))
    late = caller.post(f"/v1/uploads/{upload_['id']}/complete", json={})
    assert late.status_code == 400 and late.json()["error"]["code"] == "upload_expired"
    assert used_bytes(caller.id) == 0
    assert objects_under(f"keys/{caller.id}/") == objects_under(f"uploads/{caller.id}/") == []


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
    ({"filename": "a", "purpose": "batch", "bytes": 5 * 1024**3 + 1, "mime_type": "text/plain"}, "bytes"),
    ({"filename": "a", "purpose": "nope", "bytes": 1, "mime_type": "text/plain"}, "purpose"),
    ({"filename": "a", "purpose": "batch", "bytes": 1, "mime_type": "not a type"}, "mime_type"),
], ids=["no-filename", "zero-bytes", "over-5-gib", "bad-purpose", "bad-mime"])
def test_bad_upload_requests_are_a_400(caller, body, param: str) -> None:
    response = caller.post("/v1/uploads", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param
    assert response.headers["x-storage-used-bytes"] == "0"
