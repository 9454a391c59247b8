"""The media and files Mangum handlers, invoked in-process with their sample events from events/, as
Lambda behind API Gateway (BinaryMediaTypes */*: bodies arrive base64-encoded) would invoke them."""

from tests.integration.test_lambda_handlers import event, invoke

KEY = "sk-tw-REPLACE-WITH-A-KEY-FROM-tollway-keys-create"


def test_embeddings_handler_answers_its_sample_event_and_charges(admin, media) -> None:
    created = admin.create_key(credits=1)
    status, headers, body = invoke("embeddings", event("embeddings.json", **{KEY: created["key"]}))
    assert status == 200, body
    assert len(body["data"]) == 1 and headers["x-model-used"] == "text-embedding-3-small"
    assert admin.balance(created["id"]) < 1


def test_files_handler_takes_a_base64_multipart_event_and_lists_it(admin) -> None:
    created = admin.create_key(credits=1)
    status, headers, body = invoke("files", event("files-create.json", **{KEY: created["key"]}))
    assert status == 200, body
    assert (body["filename"], body["purpose"], body["bytes"]) == ("hello.txt", "user_data", 32)
    assert headers["x-storage-used-bytes"] == "32"
    status, _, listed = invoke("files", event("files-list.json", **{KEY: created["key"]}))
    assert status == 200 and [f["id"] for f in listed["data"]] == [body["id"]]
    status, _, refused = invoke("files", event("files-list.json"))
    assert status == 401 and refused["error"]["type"] == "authentication_error"
