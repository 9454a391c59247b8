"""Each Mangum handler, invoked in-process with its sample event from events/, answers correctly
against the emulator and logs and measures the way the deployed function will (Powertools)."""

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LambdaContext:
    function_name: str = "tollway-test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:tollway-test"
    aws_request_id: str = "1f0e8c2a-4b7d-4e1a-9a3e-5c6d7e8f9a0b"


def load_handler_module(function: str) -> ModuleType:
    """The function's app.py loaded as Lambda loads it: by path, as module `app` of its own folder."""
    name = f"lambda_{function}_app"
    spec = importlib.util.spec_from_file_location(name, ROOT / "functions" / function / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def event(name: str, **placeholders: str) -> dict[str, Any]:
    text = (ROOT / "events" / name).read_text()
    for placeholder, value in placeholders.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


def invoke(function: str, evt: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    result = load_handler_module(function).handler(evt, LambdaContext())
    body = json.loads(result["body"]) if result.get("body") else None
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return result["statusCode"], headers, body


@pytest.fixture()
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")


def test_health_handler_answers_its_sample_event(environment, metrics_on, capsys) -> None:
    status, headers, body = invoke("health", event("health.json"))
    assert status == 200 and body["ok"] is True and headers["x-request-id"].startswith("req_")
    out = capsys.readouterr().out
    # Other tests' requests may still be logging in this process: find this request's own line.
    log = next(json.loads(line) for line in out.splitlines() if headers["x-request-id"] in line)
    assert log["message"] == "request" and log["status"] == 200
    assert log["function_request_id"] == LambdaContext.aws_request_id  # Powertools' Lambda context
    emf = next(json.loads(line) for line in out.splitlines() if '"_aws"' in line)
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Tollway"
    assert {"Requests", "LatencyMs"} <= {m["Name"] for m in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]}


def test_models_handler_answers_its_sample_event(environment, admin) -> None:
    key = admin.create_key(credits=1)["key"]
    status, _, body = invoke("models", event("models.json", **{"sk-tw-REPLACE-WITH-A-KEY-FROM-tollway-keys-create": key}))
    assert status == 200 and body["object"] == "list" and any(m["id"] == "local/echo" for m in body["data"])
    status, _, body = invoke("models", event("models.json"))
    assert status == 401 and body["error"]["type"] == "authentication_error"


def test_chat_handler_answers_its_sample_event_and_charges(environment, admin, metrics_on, capsys) -> None:
    created = admin.create_key(credits=1)
    evt = event("chat.json", **{"sk-tw-REPLACE-WITH-A-KEY-FROM-tollway-keys-create": created["key"]})
    status, headers, body = invoke("chat", evt)
    assert status == 200, body
    assert body["choices"][0]["message"]["content"] == "hello from an API Gateway event"
    assert headers["x-model-used"] == "local/echo" and float(headers["x-credits-used"]) > 0
    assert admin.balance(created["id"]) == 1 - __import__("decimal").Decimal(headers["x-credits-used"])
    emf = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line)
    assert "CreditsUsed" in {m["Name"] for m in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]}


def test_inference_handler_answers_its_sample_event_in_the_envelope_and_charges(environment, admin) -> None:
    created = admin.create_key(credits=1)
    evt = event("inference-chat.json", **{"sk-tw-REPLACE-WITH-A-KEY-FROM-tollway-keys-create": created["key"]})
    status, headers, body = invoke("inference", evt)
    assert status == 200 and body["success"] is True, body
    assert body["data"]["content"] == "hello from an API Gateway event" and body["data"]["finishReason"] == "stop"
    assert admin.balance(created["id"]) == 1 - __import__("decimal").Decimal(headers["x-credits-used"]) < 1
    status, _, refused = invoke("inference", event("inference-chat.json"))
    assert status == 401 and refused == {"success": False, "error": {"code": "UNAUTHORIZED",
                                                                     "message": refused["error"]["message"]}}


def test_admin_handler_answers_its_sample_events(environment, admin) -> None:
    status, _, body = invoke("admin", event("admin-create-key.json", **{"REPLACE-WITH-TOLLWAY_ADMIN_KEY": environment}))
    assert status == 201 and body["key"].startswith("sk-tw-") and body["credits"] == 10
    show = event("admin-show-key.json", **{"REPLACE-WITH-TOLLWAY_ADMIN_KEY": environment,
                                           "0123456789abcdef": body["id"]})
    status, _, shown = invoke("admin", show)
    assert status == 200 and shown["id"] == body["id"] and "key" not in shown
    status, _, refused = invoke("admin", event("admin-create-key.json"))
    assert status == 401 and refused["error"]["code"] == "invalid_admin_key"
