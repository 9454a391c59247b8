"""The Files API on S3: create, list, retrieve, content, delete; every object under its key's prefix,
another key gets 404; reading needs ai:read, writing ai:generate; storage headers on every answer."""

import httpx
import pytest

from tests.integration.media.conftest import JSONL, objects_under, upload

def test_a_file_round_trips_with_openais_shape_and_storage_headers(caller) -> None:
    created = upload(caller)
    assert created.status_code == 200, created.text
    file = created.json()
    assert set(file) == {"id", "object", "bytes", "created_at", "filename", "purpose", "status"}
    assert file["id"].startswith("file-") and file["object"] == "file" and file["bytes"] == len(JSONL)
    assert (file["filename"], file["purpose"], file["status"]) == ("batch.jsonl", "batch", "processed")
    assert created.headers["x-storage-used-bytes"] == str(len(JSONL))
    assert int(created.headers["x-storage-limit-bytes"]) == 1024**3
    assert objects_under(f"keys/{caller.id}/files/") == [f"keys/{caller.id}/files/{file['id']}"]

    assert caller.get(f"/v1/files/{file['id']}").json() == file
    listed = caller.get("/v1/files")
    assert listed.json() == {"object": "list", "data": [file], "first_id": file["id"], "last_id": file["id"],
                             "has_more": False}
    content = caller.get(f"/v1/files/{file['id']}/content")
    assert content.content == JSONL and content.headers["content-type"] == "application/jsonl"
    assert content.headers["content-disposition"] == 'attachment; filename="batch.jsonl"'
    for answer in (listed, content):
        assert answer.headers["x-storage-used-bytes"] == str(len(JSONL))

    deleted = caller.delete(f"/v1/files/{file['id']}")
    assert deleted.json() == {"id": file["id"], "object": "file", "deleted": True}
    assert deleted.headers["x-storage-used-bytes"] == "0"
    assert caller.get(f"/v1/files/{file['id']}").status_code == 404
    assert objects_under(f"keys/{caller.id}/") == []


def test_another_key_can_neither_list_read_nor_delete_a_file(caller, make_caller) -> None:
    file = upload(caller).json()
    intruder = make_caller()
    assert intruder.get("/v1/files").json()["data"] == []
    for response in (intruder.get(f"/v1/files/{file['id']}"), intruder.get(f"/v1/files/{file['id']}/content"),
                     intruder.delete(f"/v1/files/{file['id']}")):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "file_not_found"
        assert JSONL.decode() not in response.text
        assert response.headers["x-storage-used-bytes"] == "0"  # the intruder's own storage
    assert caller.get(f"/v1/files/{file['id']}/content").content == JSONL  # still there for its owner


@pytest.mark.parametrize(("scopes", "allowed"), [(["ai:read"], {"list", "retrieve", "content"}),
                                                 (["ai:generate"], {"create", "delete"})])
def test_reading_needs_ai_read_and_writing_needs_ai_generate(caller, make_caller, scopes, allowed: set) -> None:
    file = upload(caller).json()
    limited = make_caller(scopes=scopes)
    calls = {"list": lambda: limited.get("/v1/files"), "retrieve": lambda: limited.get(f"/v1/files/{file['id']}"),
             "content": lambda: limited.get(f"/v1/files/{file['id']}/content"), "create": lambda: upload(limited),
             "delete": lambda: limited.delete(f"/v1/files/{file['id']}"),
             "upload": lambda: limited.post("/v1/uploads", json={"filename": "a", "purpose": "batch", "bytes": 1,
                                                                 "mime_type": "text/plain"})}
    for name, call in calls.items():
        status = call().status_code
        if name in allowed or (name == "upload" and "create" in allowed):
            assert status != 403, name
        else:
            assert status == 403, name


def test_listing_filters_orders_and_pages(caller) -> None:
    ids = [upload(caller, name=f"{i}.jsonl", purpose="batch" if i % 2 else "user_data").json()["id"] for i in range(4)]
    newest_first = [f["id"] for f in caller.get("/v1/files").json()["data"]]
    assert sorted(newest_first) == sorted(ids)
    page = caller.get("/v1/files", params={"limit": 2, "order": "asc"}).json()
    assert len(page["data"]) == 2 and page["has_more"] is True
    rest = caller.get("/v1/files", params={"limit": 10, "order": "asc", "after": page["last_id"]}).json()
    assert [f["id"] for f in page["data"] + rest["data"]] == list(reversed(newest_first))
    assert rest["has_more"] is False
    batch = caller.get("/v1/files", params={"purpose": "batch"}).json()["data"]
    assert {f["id"] for f in batch} == {ids[1], ids[3]}
    assert caller.get("/v1/files", params={"limit": 0}).status_code == 400


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"data": {"purpose": "batch"}, "files": {"other": ("a", b"x", "text/plain")}}, 400, "missing_file"),
    ({"data": {"purpose": "batch"}, "files": {"file": ("a.jsonl", b"", "application/jsonl")}}, 400, "empty_file"),
    ({"data": {"purpose": "homework"}, "files": {"file": ("a.jsonl", b"x", "application/jsonl")}}, 400,
     "invalid_value"),
    ({"files": {"file": ("a.jsonl", b"x", "application/jsonl")}}, 400, "invalid_value"),
    ({"json": {"purpose": "batch"}}, 415, "unsupported_content_type"),
], ids=["no-file", "empty", "bad-purpose", "no-purpose", "json"])
def test_bad_file_uploads_are_a_clear_4xx_and_store_nothing(caller, kwargs, status: int, code: str) -> None:
    response = caller.post("/v1/files", **kwargs)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert objects_under(f"keys/{caller.id}/") == [] and response.headers["x-storage-used-bytes"] == "0"


def test_unknown_ids_are_404(caller) -> None:
    for path in ("/v1/files/file-doesnotexist", "/v1/files/upload_abc", "/v1/files/nonsense/content"):
        assert caller.get(path).status_code == 404
    assert caller.delete("/v1/files/file-doesnotexist").status_code == 404


def test_a_missing_or_invalid_key_is_401_before_anything_else(gateway) -> None:
    assert httpx.get(f"{gateway.url}/v1/files").status_code == 401
    bad = httpx.get(f"{gateway.url}/v1/files/file-x", headers={"authorization": "Bearer sk-tw-nope"})
    assert bad.status_code == 401 and "x-storage-used-bytes" not in bad.headers


def test_read_file_gives_chat_a_files_bytes_for_its_own_key_only(caller, make_caller) -> None:
    from tollway.errors import NotFound
    from tollway.storage.files import read_file

    file = upload(caller, data=b"%PDF-1.7 tiny", name="paper.pdf", content_type="application/pdf").json()
    stored = read_file(caller.id, file["id"])
    assert (stored.data, stored.content_type, stored.filename) == (b"%PDF-1.7 tiny", "application/pdf", "paper.pdf")
    with pytest.raises(NotFound):
        read_file(make_caller().id, file["id"])
