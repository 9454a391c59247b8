"""The emulator's local Lambda runtime: a function's real handler, its environment, Lambda's answers."""

import json
import os
from pathlib import Path

import pytest

from tollway.local.lambda_runtime import LocalLambdaRuntime
from tollway.local.template import FunctionCode, Template

ROOT = Path(__file__).resolve().parents[2]
HANDLER = '''
import os

class OperationFailed(Exception):
    pass

def handler(event, context):
    if event.get("fail"):
        raise OperationFailed(event["fail"])
    return {"echo": event, "table": os.environ.get("OPERATIONS_TABLE"), "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
            "function": context.function_name}
'''


@pytest.fixture()
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalLambdaRuntime:
    code = tmp_path / "fn_under_test"
    code.mkdir()
    (code / "app.py").write_text(HANDLER)
    for name in ("OPERATIONS_TABLE", "AWS_ENDPOINT_URL"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    functions = {"Worker": FunctionCode("Worker", code, "handler", {})}
    return LocalLambdaRuntime(functions, endpoint="http://127.0.0.1:4566")


def test_a_handler_runs_in_process_with_its_environment_pointed_at_the_emulator(runtime: LocalLambdaRuntime) -> None:
    payload, errored, logs = runtime.invoke("Worker", {"OPERATIONS_TABLE": "OpsLocal"}, {"action": "poll"})
    assert not errored and logs == ""
    assert json.loads(payload) == {"echo": {"action": "poll"}, "table": "OpsLocal",
                                   "endpoint": "http://127.0.0.1:4566", "function": "Worker"}


def test_a_handler_exception_is_reported_the_way_lambda_reports_it(runtime: LocalLambdaRuntime) -> None:
    payload, errored, _ = runtime.invoke("Worker", {}, {"fail": "the upstream refused"})
    assert errored
    assert json.loads(payload) == {"errorType": "OperationFailed", "errorMessage": "the upstream refused"}


def test_an_unknown_function_is_an_error_not_a_crash(runtime: LocalLambdaRuntime) -> None:
    payload, errored, _ = runtime.invoke("Nobody", {}, {})
    assert errored and json.loads(payload)["errorType"] == "ResourceNotFoundException"


def test_the_runtime_knows_the_template_functions_with_python_handlers() -> None:
    functions = Template(ROOT / "template.yaml").python_functions()
    worker = functions["OperationsWorkerFunction"]
    assert (worker.code_uri, worker.handler) == (ROOT / "functions" / "operations_worker", "handler")
    assert "ChatFunction" not in functions  # run.sh behind the Lambda Web Adapter: not invoked by a state machine
