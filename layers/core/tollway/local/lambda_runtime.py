"""The emulator's Lambda runtime: run a function's handler in-process when a state machine invokes it.

Without Docker, moto's Lambda runs no code. Inside the emulator child, `install(template, port)`
replaces `moto.awslambda.models.LambdaFunction._invoke_lambda(self, event) -> (payload, errored, logs)`
with a call of the function's real handler, loaded from its CodeUri as Lambda loads it
(`function_code.py`), with the function's configured environment and boto3 pointed at the
emulator itself. The answer has Lambda's shape: the handler's JSON result, or on an exception
`{"errorType": <class name>, "errorMessage": <str(exc)>}` with the error flag set — which is what
a state machine's Retry and Catch match on (no stack trace, as nothing here may leak one).

    runtime = LocalLambdaRuntime(template.python_functions(), endpoint="http://127.0.0.1:4566")
    runtime.invoke("OperationsWorkerFunction", {"KEYS_TABLE": "KeysTable"}, {"action": "poll", …})
    ('{"operation_id": …, "next": "wait", "wait_s": 10}', False, '')
"""

from __future__ import annotations

import json
import os
import sys
import threading
import uuid
from types import ModuleType
from typing import Any

from tollway.local.after_import import when_imported
from tollway.local.function_code import load_function_module
from tollway.local.schedules import LocalContext
from tollway.local.template import FunctionCode, Template


class LocalLambdaRuntime:
    def __init__(self, functions: dict[str, FunctionCode], endpoint: str) -> None:
        self.functions = functions
        self.endpoint = endpoint
        self._env_lock = threading.Lock()

    def _apply(self, environment: dict[str, str]) -> None:
        """The function's configuration, as Lambda sets it; caches reset only when something changed."""
        wanted = {**environment, "AWS_ENDPOINT_URL": self.endpoint}
        with self._env_lock:
            changed = {k: v for k, v in wanted.items() if os.environ.get(k) != v}
            if not changed:
                return
            os.environ.update(changed)
            from tollway import aws_clients, config

            config.reset_for_tests()
            aws_clients.reset()

    def invoke(self, function_name: str, environment: dict[str, str], event: Any) -> tuple[str, bool, str]:
        code = self.functions.get(function_name)
        if code is None:
            return _error("ResourceNotFoundException", f"no local code for function {function_name!r}"), True, ""
        self._apply(environment)
        context = LocalContext(function_name=function_name, aws_request_id=str(uuid.uuid4()),
                               invoked_function_arn=f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}")
        try:
            handler = getattr(load_function_module(code.code_uri), code.handler)
            result = handler(event if event is not None else {}, context)
            return json.dumps(result), False, ""
        except Exception as exc:  # noqa: BLE001 - Lambda reports every handler exception the same way
            print(f"tollway: {function_name} raised {type(exc).__name__}", file=sys.stderr)
            return _error(type(exc).__name__, str(exc)), True, ""

    def install(self) -> None:
        """From the moment moto's Lambda model is imported (not before: it brings IAM, ECR and
        more with it, which a gateway whose operations are never used does not need)."""
        when_imported("moto.awslambda.models", self._patch)

    def _patch(self, models: ModuleType) -> None:
        runtime = self

        def _invoke_lambda(function: Any, event: Any = None) -> tuple[str, bool, str]:
            return runtime.invoke(function.function_name, dict(function.environment_vars or {}), event)

        models.LambdaFunction._invoke_lambda = _invoke_lambda


def _error(error_type: str, message: str) -> str:
    return json.dumps({"errorType": error_type, "errorMessage": message})


def install(template: Template, port: int) -> LocalLambdaRuntime:
    """In the emulator child: run the template's Python functions in-process from now on."""
    # Locally provider keys come from the environment, never from a (deployed) Secrets Manager secret.
    os.environ.pop("TOLLWAY_SECRETS_ID", None)
    runtime = LocalLambdaRuntime(template.python_functions(), f"http://127.0.0.1:{port}")
    runtime.install()
    return runtime
