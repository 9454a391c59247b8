"""Per-key storage quota: over it is a 413 with a clear message and nothing written; concurrent uploads
never exceed it; a failure at any step of a write leaves nothing half-written; oversize bodies name
the uploads flow."""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from tests.integration.media.conftest import objects_under, records_of, upload, used_bytes


def test_a_file_over_the_quota_is_a_413_and_nothing_is_written(caller, storage_limit) -> None:
    storage_limit(100)
    assert upload(caller, data=b"x" * 60).status_code == 200
    refused = upload(caller, data=b"y" * 41)
    assert refused.status_code == 413, refused.text
    error = refused.json()["error"]
    assert error["code"] == "storage_quota_exceeded"
    assert "needs 41 bytes" in error["message"] and "40 of its 100 bytes free" in error["message"]
    assert (refused.headers["x-storage-used-bytes"], refused.headers["x-storage-limit-bytes"]) == ("60", "100")
    assert len(objects_under(f"keys/{caller.id}/")) == 1 and len(records_of(caller.id)) == 1
    assert upload(caller, data=b"z" * 40).status_code == 200  # exactly full is fine
    assert used_bytes(caller.id) == 100


def test_deleting_a_file_gives_its_bytes_back(caller, storage_limit) -> None:
    storage_limit(100)
    first = upload(caller, data=b"x" * 80).json()
    assert upload(caller, data=b"y" * 80).status_code == 413
    assert caller.delete(f"/v1/files/{first['id']}").status_code == 200
    assert upload(caller, data=b"y" * 80).status_code == 200


def test_concurrent_uploads_never_exceed_the_quota(caller, storage_limit) -> None:
    storage_limit(1000)
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda i: upload(caller, data=bytes([i]) * 300).status_code, range(10)))
    assert sorted(statuses) == [200] * 3 + [413] * 7
    assert used_bytes(caller.id) == 900
    assert len(objects_under(f"keys/{caller.id}/files/")) == 3 and len(records_of(caller.id)) == 3


@pytest.mark.parametrize("failing", ["objects.put_object", "files.put_record"])
def test_a_failure_at_any_step_leaves_nothing_half_written(caller, monkeypatch, failing: str) -> None:
    import tollway.storage.files as files
    from tollway.storage import objects

    module, name = (objects, "put_object") if failing.startswith("objects") else (files, "put_record")

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError(f"injected failure in {failing}")

    monkeypatch.setattr(module, name, broken)
    response = upload(caller)
    assert response.status_code == 500
    assert used_bytes(caller.id) == 0
    assert objects_under(f"keys/{caller.id}/") == [] and records_of(caller.id) == []
    monkeypatch.undo()
    assert upload(caller).status_code == 200 and used_bytes(caller.id) > 0


def test_a_failed_delete_can_be_retried_and_finishes_the_job(caller, monkeypatch) -> None:
    import tollway.storage.files as files

    file = upload(caller).json()
    real = files.client

    class FailingTransactions:
        def __getattr__(self, name: str):  # noqa: ANN204
            if name == "transact_write_items":
                raise RuntimeError("injected DynamoDB failure")
            return getattr(real("dynamodb"), name)

    monkeypatch.setattr(files, "client",
                        lambda service: FailingTransactions() if service == "dynamodb" else real(service))
    assert caller.delete(f"/v1/files/{file['id']}").status_code == 500
    monkeypatch.undo()
    assert used_bytes(caller.id) == file["bytes"]  # still counted: the record is still there
    assert caller.delete(f"/v1/files/{file['id']}").status_code == 200
    assert used_bytes(caller.id) == 0 and records_of(caller.id) == [] and objects_under(f"keys/{caller.id}/") == []


def test_a_body_over_the_lambda_limit_names_the_uploads_flow(caller) -> None:
    big = b"x" * (6 * 1024 * 1024 + 1)
    declared = upload(caller, data=big)
    assert declared.status_code == 413
    assert "POST /v1/uploads" in declared.json()["error"]["message"]

    def chunks():  # no Content-Length: the limit is enforced while the body streams in
        yield b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
        for _ in range(7):
            yield b"x" * (1024 * 1024)

    streamed = caller.post("/v1/files", content=chunks(),
                           headers={"content-type": "multipart/form-data; boundary=zzz"})
    assert streamed.status_code == 413 and "POST /v1/uploads" in streamed.json()["error"]["message"]
    assert used_bytes(caller.id) == 0


def test_other_functions_keep_the_generic_413(caller) -> None:
    response = caller.post("/v1/embeddings", content=b"x" * (6 * 1024 * 1024 + 1),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and "/v1/uploads" not in response.json()["error"]["message"]


def test_storage_headers_report_pending_uploads_too(caller, storage_limit) -> None:
    storage_limit(10_000)
    created = caller.post("/v1/uploads", json={"filename": "a.bin", "purpose": "user_data", "bytes": 4000,
                                               "mime_type": "application/octet-stream"})
    assert created.headers["x-storage-used-bytes"] == "4000"
    assert caller.get("/v1/files").headers["x-storage-used-bytes"] == "4000"
    # The URL alone grants nothing: the permission is the signed form, which only lets one object be POSTed.
    assert urlsplit(created.json()["upload_url"]).query == "" and "policy" in created.json()["upload_fields"]
