"""A `tollway serve` killed before its flush loses no usage record of a request a client received:
each settled record is journaled in the data dir first, and the next start writes what was not
written and releases the dead process's leases."""

from __future__ import annotations

import signal
from decimal import Decimal

import boto3
import httpx

from tests.conftest import bearer
from tests.served import ServedGateway, process_gone
from tollway.usage.store import records_of

ASK = {"model": "local/echo", "messages": [{"role": "user", "content": "one two three"}]}


def served_records(served: ServedGateway, key_id: str) -> list[dict]:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    return records_of(key_id, ddb=session.client("dynamodb", endpoint_url=served.emulator_url), table="UsageTable")


def test_records_a_killed_gateway_settled_but_never_flushed_are_written_at_its_next_start(tmp_path) -> None:
    env = {"TOLLWAY_ADMIN_KEY": "tw-admin-journal", "TOLLWAY_LEASE_FLUSH_SECONDS": "600"}
    first = ServedGateway(env=env, data_dir=tmp_path).start()
    try:
        key = first.create_key(credits=1000)
        charged = Decimal(0)
        for _ in range(30):
            response = httpx.post(first.url + "/v1/chat/completions", headers=bearer(key), json=ASK, timeout=10)
            assert response.status_code == 200
            charged += Decimal(response.headers["x-credits-used"])
        assert len(served_records(first, key["id"])) < 30  # most of them only in memory (and the journal)
        emulators = first.children()
    finally:
        assert first.process is not None
        first.process.send_signal(signal.SIGKILL)  # the gateway only: its emulator sees it go
        first.process.wait()
    assert all(process_gone(pid) for pid in emulators)  # the emulator saved its snapshot and left

    with ServedGateway(env=env, data_dir=tmp_path, port=first.port) as second:
        assert "usage record(s) the last run settled but had not flushed" in "".join(second.output)
        records = served_records(second, key["id"])
        assert len(records) == 30 and len({r["request_id"] for r in records}) == 30
        assert sum(Decimal(r["credits_micro"]) for r in records) / 1_000_000 == charged
        assert second.balance(key["id"]) == 1000 - charged
