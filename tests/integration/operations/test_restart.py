"""A restart of `tollway serve` in the middle of an operation: the record survives (the emulator
keeps DynamoDB and S3), a fresh execution resumes it from its stored upstream job — no second
submit, no second reservation, one charge."""

from tests.fakes.jobs import JobScript
from tests.integration.operations.gateway_client import OpsClient, wait_until
from tests.served import ServedGateway


def test_a_restart_mid_operation_neither_loses_it_nor_charges_twice(tmp_path, ops_env, videos) -> None:
    env = ops_env | {"TOLLWAY_ADMIN_KEY": "tw-admin-restart"}
    videos.book.script = JobScript(polls=4)
    with ServedGateway(env=env, data_dir=tmp_path) as first:
        before = OpsClient(first)
        key = before.key(credits=10)
        op = before.submit(key, "/v1/videos/generations", {"model": "sora-2", "prompt": "restart me", "seconds": 4})
        before.wait(key, op["id"], until=("running",))
        wait_until(lambda: videos.book.polls >= 1, what="a first poll")
        assert before.balance(key) == 6  # reserved
    polls_before_restart = videos.book.polls
    assert polls_before_restart < 4
    with ServedGateway(env=env, data_dir=tmp_path) as second:
        after = OpsClient(second)
        final, _ = after.wait(key, op["id"])
        assert final["status"] == "succeeded", final
        assert videos.book.creates == 1  # resumed from the stored upstream id, not submitted again
        (job,) = videos.book.jobs.values()
        assert job.polls == 4 and videos.book.downloads == 1
        assert after.balance(key) == 6  # charged once: 4 credits
        (record,) = after.wait_for_usage(key, 1)
        assert (record["status"], int(record["credits_micro"])) == ("ok", 4_000_000)
        assert after.execution_status(f"{op['id']}-r1") == "SUCCEEDED"
        assert "resumed 1 operation(s)" in "".join(second.output)
