"""Operation records: the transition table and the DynamoDB item round trip."""

import pytest

from tollway.operations.records import ACTIVE, ENDED, Operation, can_move, new_operation_id


@pytest.mark.parametrize("current", ACTIVE + ENDED)
@pytest.mark.parametrize("target", ("running",) + ENDED)
def test_only_queued_or_running_operations_move(current: str, target: str) -> None:
    assert can_move(current, target) == (current in ACTIVE)  # type: ignore[arg-type]


def test_operation_ids_are_unguessable_and_prefixed() -> None:
    ids = {new_operation_id() for _ in range(100)}
    assert len(ids) == 100 and all(i.startswith("aiop_") and len(i) == 29 for i in ids)


@pytest.mark.parametrize("changes", [
    {},
    {"status": "running", "upstream_id": "video_1", "progress": 40, "execution": "op_x-r2", "restarts": 2},
    {"status": "succeeded", "result": {"s3_key": "keys/k/operations/o/video.mp4", "bytes": 10, "units": 4},
     "charged": 4_000_000, "finished_at": 1767225605.25, "settled": True, "output_ref": {"video_id": "v"}},
    {"status": "failed", "error": {"code": "upstream_error", "message": "ça a échoué", "status": 502},
     "webhook": {"delivered": False, "attempts": 5, "status": None, "error": "timeout"}},
], ids=["new", "running", "succeeded", "failed"])
def test_a_record_survives_the_round_trip_through_its_item(changes: dict) -> None:
    op = Operation.new("0123456789abcdef", kind="video", endpoint="videos.generations", model="sora-2",
                       provider="openai", reserved=4_000_000, params={"prompt": "a cat", "seconds": 4},
                       webhook_url="https://hooks.example.com/x", now=1767225600.5)
    for name, value in changes.items():
        setattr(op, name, value)
    assert Operation.from_item(op.to_item()) == op


def test_a_new_record_expires_after_thirty_days_and_starts_unsettled() -> None:
    op = Operation.new("k", kind="music", endpoint="music.generations", model="music_v1", provider="elevenlabs",
                       reserved=1, params={}, now=1000.0)
    assert (op.status, op.settled, op.execution, op.expires_at) == ("queued", False, op.id, 1000 + 30 * 86400)
    assert "webhook_url" not in op.to_item()  # absent, not null
