"""Operation records and their settlement, against the emulator's DynamoDB (in this process):
status changes are conditional, settlement happens once, a missed settlement is caught up."""

import time
from typing import Any

import pytest

from tollway.auth.keys import parse_key
from tollway.errors import NotFound
from tollway.ledger.admission import admit
from tollway.ledger.holds import Hold
from tollway.operations import records
from tollway.operations.billing import settle_operation
from tollway.operations.records import Operation
from tollway.operations.resume import resume_unfinished


def opened(admin: Any, credits: int = 10, reserve: int = 4_000_000) -> tuple[dict[str, Any], Operation]:
    """A key, and an operation admitted on it exactly as the API opens one."""
    key = admin.create_key(credits=credits)
    ref = parse_key(key["key"])
    assert ref is not None
    op = Operation.new(ref.id, kind="video", endpoint="videos.generations", model="sora-2", provider="openai",
                       reserved=reserve, params={"prompt": "x", "seconds": 4, "size": "720x1280"})
    admit(ref, "ai:generate", reserve, time.time(), Hold(op.id, 3600, op.endpoint, op.model))
    records.create(op)
    return key, op


def test_a_cancelled_operation_can_never_become_succeeded_or_running(environment, admin) -> None:
    _, op = opened(admin)
    assert records.move(op.id, "running", {"upstream_id": "video_1"}).upstream_id == "video_1"  # type: ignore[union-attr]
    assert records.finish(op.id, "cancelled", charge=0, now=time.time()) is not None
    assert records.finish(op.id, "succeeded", charge=4_000_000, now=time.time(), result={"s3_key": "k"}) is None
    assert records.finish(op.id, "failed", charge=0, now=time.time()) is None
    assert records.move(op.id, "running", {"progress": 50}) is None
    stored = records.load(op.id)
    assert (stored.status, stored.charged, stored.result, stored.progress) == ("cancelled", 0, None, None)


def test_settling_an_operation_twice_charges_once_and_records_once(environment, admin) -> None:
    key, op = opened(admin)
    assert admin.balance(key["id"]) == 6  # the reservation is held
    ended = records.finish(op.id, "succeeded", charge=3_000_000, now=time.time(), result={"s3_key": "k"})
    assert ended is not None
    assert settle_operation(ended) == 3_000_000
    assert settle_operation(ended) == 3_000_000  # a retried step: nothing moves again
    assert admin.balance(key["id"]) == 7
    (record,) = admin.usage(key["id"])
    assert (record["request_id"], record["status"], record["credits_micro"]) == (op.id, "ok", 3_000_000)
    assert records.load(op.id).settled


def test_restarting_settles_an_operation_that_ended_without_being_settled(environment, admin) -> None:
    key, op = opened(admin)
    records.finish(op.id, "failed", charge=0, now=time.time(), error={"code": "x", "message": "y"})
    assert admin.balance(key["id"]) == 6
    resume_unfinished()
    assert admin.balance(key["id"]) == 10 and records.load(op.id).settled
    (record,) = admin.usage(key["id"])
    assert (record["status"], record["error_code"]) == ("failed", "x")


def test_an_operation_is_found_only_for_its_own_key(environment, admin) -> None:
    key, op = opened(admin)
    assert records.load_for_key(op.id, key["id"]).id == op.id
    for op_id, key_id in ((op.id, "0000000000000000"), ("op_missing", key["id"]), ("../etc", key["id"])):
        with pytest.raises(NotFound):
            records.load_for_key(op_id, key_id)
