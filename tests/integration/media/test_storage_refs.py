"""`storage_ref: {bucket_id, key}` wherever a file is taken: transcription, image edits and analysis,
document parsing. The object comes from the caller's own storage (Files API objects, and what async
requests wrote to `outputs`); another key's object is a 404 like a missing one, a hostile reference a
400 naming the field — and neither reaches an upstream or costs anything."""

from __future__ import annotations

import json

import pytest

from tests.fakes.media_samples import mp3, png, wav
from tests.fakes.media_upstreams import TRANSCRIPT


def _upload(caller, name: str, data: bytes, content_type: str) -> str:
    response = caller.post("/v1/files", files={"file": (name, data, content_type)}, data={"purpose": "user_data"})
    assert response.status_code == 200, response.text
    return response.json()["id"]  # type: ignore[no-any-return]


def test_a_files_api_object_is_transcribed_by_reference(caller, media) -> None:
    file_id = _upload(caller, "talk.mp3", mp3(), "audio/mpeg")
    response = caller.post("/v1/audio/transcriptions", json={
        "model": "whisper-1", "storage_ref": {"bucket_id": "files", "key": file_id}})
    assert response.status_code == 200, response.text
    assert response.json() == {"text": TRANSCRIPT}
    assert media.last("openai").files["file"][0] == ("talk.mp3", "audio/mpeg", mp3())


def test_an_output_object_is_read_from_the_keys_own_outputs(caller, media) -> None:
    from tollway.storage.objects import output_key, put_object

    put_object(output_key(caller.id, "takes/one.wav"), wav(), "audio/wav", filename="one.wav")
    response = caller.post("/v1/audio/translations", json={
        "model": "whisper-1", "storage_ref": {"bucket_id": "outputs", "key": "takes/one.wav"}})
    assert response.status_code == 200, response.text
    assert media.last("openai").files["file"][0] == ("one.wav", "audio/wav", wav())


def test_an_image_to_edit_can_be_a_reference_in_a_multipart_form(caller, media) -> None:
    file_id = _upload(caller, "cat.png", png(2, 2), "image/png")
    response = caller.post("/v1/images/edits", files={  # form fields only: (no filename, value)
        "prompt": (None, "add a hat"), "storage_ref": (None, json.dumps({"bucket_id": "files", "key": file_id}))})
    assert response.status_code == 200, response.text
    assert media.last("openai").files["image"][0][2] == png(2, 2)
    analysis = caller.post("/v1/images/analysis", json={"prompt": "What is it?", "storage_ref": {
        "bucket_id": "files", "key": file_id}})
    assert analysis.status_code == 200, analysis.text


def test_a_document_is_parsed_by_reference(caller) -> None:
    file_id = _upload(caller, "notes.md", b"# Title\n\nSome words here.\n", "text/markdown")
    response = caller.post("/v1/documents/parse", json={"storage_ref": {"bucket_id": "files", "key": file_id}})
    assert response.status_code == 200, response.text
    assert "Some words here." in json.dumps(response.json())


def test_another_keys_object_is_a_404_exactly_like_a_missing_one(caller, make_caller, media) -> None:
    owner = make_caller()
    file_id = _upload(owner, "talk.mp3", mp3(), "audio/mpeg")
    theirs = caller.post("/v1/audio/transcriptions", json={
        "model": "whisper-1", "storage_ref": {"bucket_id": "files", "key": file_id}})
    missing = caller.post("/v1/audio/transcriptions", json={
        "model": "whisper-1", "storage_ref": {"bucket_id": "files", "key": "file-" + "0" * 24}})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"]["code"] == missing.json()["error"]["code"] == "object_not_found"
    assert theirs.json()["error"]["param"] == "storage_ref"
    assert theirs.json()["error"]["message"].replace(file_id, "X") == \
        missing.json()["error"]["message"].replace("file-" + "0" * 24, "X")
    assert media.requests == [] and caller.balance() == 10


@pytest.mark.parametrize(("ref", "param"), [
    ({"bucket_id": "other", "key": "a"}, "storage_ref.bucket_id"),
    ({"bucket_id": "outputs", "key": "../../someone/outputs/a"}, "storage_ref.key"),
    ({"bucket_id": "outputs", "key": "a/%2e%2e/b"}, "storage_ref.key"),
    ({"bucket_id": "outputs", "key": "a%2fb"}, "storage_ref.key"),
    ({"bucket_id": "outputs", "key": "/etc/passwd"}, "storage_ref.key"),
    ({"bucket_id": "outputs", "key": "a\u0000b"}, "storage_ref.key"),
    ({"bucket_id": "outputs", "key": "a" * 2048}, "storage_ref.key"),
    ({"bucket_id": "outputs", "key": ""}, "storage_ref.key"),
    ({"bucket_id": "files", "key": "not-a-file-id"}, "storage_ref.key"),
    ({"bucket_id": "outputs"}, "storage_ref.key"),
    ({"bucket_id": "outputs", "key": "a", "region": "x"}, "storage_ref.region"),
    ("files/file-abc", "storage_ref"),
])
def test_hostile_references_are_a_400_naming_the_field(caller, media, ref, param: str) -> None:
    response = caller.post("/v1/audio/transcriptions", json={"model": "whisper-1", "storage_ref": ref})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert media.requests == [] and caller.balance() == 10


def test_a_reference_and_a_file_together_are_refused(caller, media) -> None:
    response = caller.post("/v1/audio/transcriptions", data={
        "model": "whisper-1", "storage_ref": json.dumps({"bucket_id": "files", "key": "file-abc"})},
        files={"file": ("talk.mp3", mp3(), "audio/mpeg")})
    assert response.status_code == 400 and response.json()["error"]["param"] == "storage_ref"
    assert media.requests == [] and caller.balance() == 10
