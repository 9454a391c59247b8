"""A reservation whose request never settles (process killed, Lambda timeout, DynamoDB unreachable
at the end) is refunded by the sweeper after its deadline — once, and never twice."""

import time
from decimal import Decimal

import httpx

from tests.conftest import bearer
from tollway.auth.keys import parse_key
from tollway.ledger.admission import admit
from tollway.ledger.holds import Hold
from tollway.ledger.settlement import settle
from tollway.ledger.sweeper import sweep
from tollway.usage.records import UsageRecord


def abandoned_admission(key: dict, request_id: str, reserve: int = 250_000, hold_s: float = 60):
    """What a request leaves behind when its process dies between admission and settlement."""
    ref = parse_key(key["key"])
    assert ref is not None
    return admit(ref, "ai:generate", reserve, time.time(), Hold(request_id, hold_s, "chat.completions", "gpt-4o"))


def pending(key_id: str) -> dict:
    from tollway.aws_clients import client
    from tollway.config import settings

    item = client("dynamodb").get_item(TableName=settings().keys_table, Key={"id": {"S": key_id}},
                                       ConsistentRead=True)["Item"]
    return item["pending"]["M"]


def test_an_abandoned_reservation_is_refunded_after_its_deadline_and_recorded(environment, admin) -> None:
    key = admin.create_key(credits=1)
    abandoned_admission(key, "req_died_mid_stream")
    assert admin.balance(key["id"]) == Decimal("0.75")
    assert "req_died_mid_stream" in pending(key["id"])

    early = sweep(now=time.time() + 30)
    assert "req_died_mid_stream" not in early.released and admin.balance(key["id"]) == Decimal("0.75")

    late = sweep(now=time.time() + 61)
    assert "req_died_mid_stream" in late.released
    assert admin.balance(key["id"]) == 1 and pending(key["id"]) == {}
    (record,) = admin.usage(key["id"])
    assert (record["request_id"], record["status"], record["credits_micro"], record["reserved_micro"]) == (
        "req_died_mid_stream", "expired", 0, 250_000)
    assert (record["endpoint"], record["model"]) == ("chat.completions", "gpt-4o")
    assert "req_died_mid_stream" not in sweep(now=time.time() + 120).released  # once only


def test_a_settlement_after_the_sweep_still_charges_what_it_owes_once(environment, admin) -> None:
    key = admin.create_key(credits=1)
    admission = abandoned_admission(key, "req_very_slow")
    sweep(now=time.time() + 61)
    assert admin.balance(key["id"]) == 1  # nothing was checkpointed: the sweep refunded it all

    def record() -> UsageRecord:
        return UsageRecord(request_id="req_very_slow", key_id=key["id"], endpoint="chat.completions",
                           model="gpt-4o", provider="openai")

    assert settle(admission, 100_000, record()) == 100_000
    assert settle(admission, 100_000, record()) == 100_000  # a retry changes nothing
    assert admin.balance(key["id"]) == Decimal("0.9")
    (only,) = admin.usage(key["id"])
    assert (only["status"], only["credits_micro"], only["swept_micro"]) == ("ok", 100_000, 0)


def test_a_sweep_charges_what_a_request_checkpointed_and_the_late_settlement_the_rest(environment, admin) -> None:
    from tollway.ledger.checkpoint import checkpoint

    key = admin.create_key(credits=1)
    admission = abandoned_admission(key, "req_checkpointed")
    assert checkpoint(admission, 40_000)
    report = sweep(now=time.time() + 61)
    assert "req_checkpointed" in report.released and report.charged_micro == 40_000
    assert admin.balance(key["id"]) == Decimal("0.96")
    (swept,) = admin.usage(key["id"])
    assert (swept["status"], swept["credits_micro"]) == ("expired", 40_000)
    assert not checkpoint(admission, 50_000)  # the hold is gone

    late = UsageRecord(request_id="req_checkpointed", key_id=key["id"], endpoint="chat.completions",
                       model="gpt-4o", provider="openai")
    assert settle(admission, 90_000, late) == 90_000
    assert admin.balance(key["id"]) == Decimal("0.91")
    (only,) = admin.usage(key["id"])
    assert (only["status"], only["credits_micro"], only["swept_micro"]) == ("ok", 90_000, 40_000)


def test_settled_requests_leave_no_hold_behind(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    for streaming in (False, True):
        assert httpx.post(f"{gateway.url}/v1/chat/completions", json=body | {"stream": streaming},
                          headers=bearer(key)).status_code == 200
    admin.wait_for_usage(key["id"], 2)
    deadline = time.monotonic() + 5
    while pending(key["id"]) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pending(key["id"]) == {}


def test_the_scheduled_sweeper_function_releases_expired_holds(environment, admin) -> None:
    from pathlib import Path

    from tollway.local.schedules import run_once
    from tollway.local.template import Template

    key = admin.create_key(credits=1)
    abandoned_admission(key, "req_expired_already", hold_s=-1)
    (schedule,) = [s for s in Template(Path(__file__).resolve().parents[2] / "template.yaml").schedules()
                   if s.function == "SweeperFunction"]
    result = run_once(schedule)
    assert result["released"] >= 1 and admin.balance(key["id"]) == 1
