"""A test's view of a served gateway running operations: keys, requests, polling with deadlines,
and the emulator's records (usage, executions) read directly with boto3."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import boto3
import httpx

from tests.served import ServedGateway

TERMINAL = ("succeeded", "failed", "cancelled")


class OpsClient:
    def __init__(self, served: ServedGateway) -> None:
        self.served = served
        self.url = served.url
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                        region_name="us-east-1")
        self.ddb = session.client("dynamodb", endpoint_url=served.emulator_url)
        self.sfn = session.client("stepfunctions", endpoint_url=served.emulator_url)
        self.s3 = session.client("s3", endpoint_url=served.emulator_url)

    def key(self, credits: float | str = 10) -> dict[str, Any]:
        created = self.served.create_key(credits=credits)
        created["headers"] = {"authorization": f"Bearer {created['key']}"}
        return created

    def balance(self, key: dict[str, Any]) -> Decimal:
        return self.served.balance(key["id"])  # type: ignore[no-any-return]

    def post(self, key: dict[str, Any], path: str, headers: dict[str, str] | None = None,
             **kwargs: Any) -> httpx.Response:
        return httpx.post(self.url + path, headers=key["headers"] | (headers or {}), timeout=15, **kwargs)

    def get(self, key: dict[str, Any], path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.url + path, headers=key["headers"], timeout=15, **kwargs)

    def submit(self, key: dict[str, Any], path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(key, path, json=body)
        assert response.status_code == 202, response.text
        op = response.json()
        assert op["status"] == "queued" and op["object"] == "operation"
        return op  # type: ignore[no-any-return]

    def wait(self, key: dict[str, Any], op_id: str, until: tuple[str, ...] = TERMINAL,
             timeout_s: float = 30.0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Poll GET /v1/operations/{id} until its status is one of `until`; (last, everything seen)."""
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            response = self.get(key, f"/v1/operations/{op_id}")
            assert response.status_code == 200, response.text
            seen.append(response.json())
            if seen[-1]["status"] in until:
                return seen[-1], seen
            time.sleep(0.1)
        raise AssertionError(f"{op_id} never reached {until}; last: {seen[-1] if seen else None}")

    def usage(self, key: dict[str, Any]) -> list[dict[str, Any]]:
        """The key's records in the served gateway's emulator (what it has flushed: within a second)."""
        from tollway.usage.store import records_of

        return records_of(key["id"], ddb=self.ddb, table="UsageTable")

    def wait_for_usage(self, key: dict[str, Any], count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while True:
            records = self.usage(key)
            if len(records) >= count or time.monotonic() > deadline:
                return records
            time.sleep(0.05)

    def stored(self, key: dict[str, Any], op_id: str) -> list[str]:
        """The names of the S3 objects kept for an operation."""
        prefix = f"keys/{key['id']}/operations/{op_id}/"
        listing = self.s3.list_objects_v2(Bucket="tollway-filesbucket", Prefix=prefix)
        return sorted(item["Key"].removeprefix(prefix) for item in listing.get("Contents", []))

    def execution_status(self, name: str) -> str:
        machines = self.sfn.list_state_machines()["stateMachines"]
        arn = next(m["stateMachineArn"] for m in machines if m["name"] == "OperationsStateMachine")
        execution = arn.replace(":stateMachine:", ":execution:") + f":{name}"
        return str(self.sfn.describe_execution(executionArn=execution)["status"])


def wait_until(condition: Any, timeout_s: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
