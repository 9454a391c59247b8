"""The new functions' Lambda handlers, invoked in-process with their sample events from events/
against the emulator, answer as the deployed functions will."""

import time

from tests.integration.operations.test_records import opened
from tests.integration.test_lambda_handlers import event, invoke, load_handler_module, LambdaContext
from tollway.operations import records
from tollway.operations.billing import settle_operation

KEY = "sk-tw-REPLACE-WITH-A-KEY-FROM-tollway-keys-create"
OP = "op_REPLACE-WITH-AN-OPERATION-ID"


def test_the_documents_handler_chunks_its_sample_event(environment, admin) -> None:
    created = admin.create_key(credits=1)
    status, headers, body = invoke("documents", event("documents-chunk.json", **{KEY: created["key"]}))
    assert status == 200, body
    assert [c["text"] for c in body["data"]] == ["First paragraph of the sample, which says hello to the reader.",
                                                 "Second paragraph, which is a little longer than the first one."]
    assert headers["x-credits-used"] == "0.000042"  # 42 input tokens at one micro-credit each


def test_the_operations_handler_reads_an_operation_of_its_key_only(environment, admin) -> None:
    key, op = opened(admin)
    status, _, body = invoke("operations", event("operations-get.json", **{KEY: key["key"], OP: op.id}))
    assert status == 200 and (body["id"], body["status"], body["credits_reserved"]) == (op.id, "queued", 4)
    other = admin.create_key(credits=1)
    status, _, body = invoke("operations", event("operations-get.json", **{KEY: other["key"], OP: op.id}))
    assert status == 404 and body["error"]["code"] == "operation_not_found"


def test_the_worker_handler_answers_the_state_machine_for_its_sample_event(environment, admin) -> None:
    _, op = opened(admin)
    ended = records.finish(op.id, "cancelled", charge=0, now=time.time())
    assert ended is not None
    settle_operation(ended)
    worker = load_handler_module("operations_worker")
    answer = worker.handler(event("operations-worker-poll.json", **{OP: op.id}), LambdaContext())
    assert answer == {"operation_id": op.id, "next": "end", "wait_s": 0}
