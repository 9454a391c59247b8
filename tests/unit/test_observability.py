"""The per-request line and metrics stay what they were, at a fraction of the cost."""

from __future__ import annotations

import json

import pytest

from tollway.observability import logger, record_request


def test_no_metric_blob_is_printed_while_metrics_are_disabled(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    capsys.readouterr()
    for _ in range(250):  # Powertools prints a blob every 100 values, even when disabled
        record_request("/v1/chat/completions", 200, 1.5, "0.0001")
    assert '"_aws"' not in capsys.readouterr().out


def test_the_request_line_is_one_json_line_with_its_fields(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    logger().info("request", extra={"request_id": "req_1", "method": "POST", "path": "/v1/chat/completions",
                                    "status": 200, "latency_ms": 1.2, "model": "gpt-4o-mini", "credits": None,
                                    "note": "café"})
    lines = [line for line in capsys.readouterr().out.splitlines() if "req_1" in line]
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert {"level", "location", "message", "timestamp", "service"} <= line.keys()
    assert (line["level"], line["message"], line["service"]) == ("INFO", "request", "tollway")
    assert {k: line[k] for k in ("request_id", "method", "path", "status", "latency_ms", "model", "note")} == {
        "request_id": "req_1", "method": "POST", "path": "/v1/chat/completions", "status": 200,
        "latency_ms": 1.2, "model": "gpt-4o-mini", "note": "café"}
    assert "credits" not in line  # None is left out, as Powertools does
