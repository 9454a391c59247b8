"""Step Functions executions that drive operations (statemachines/operation.asl.json).

    start(op.id, name=op.id)        # the execution's input is {"operation_id": ...}
    stop(op.execution)              # cancel: the execution ends as ABORTED

Executions are always named (the operation id, `<id>-r<n>` when restarted): a name makes a
retried start idempotent on AWS, and the local emulator names unnamed executions `None`.
"""

from __future__ import annotations

import json

from tollway.aws_clients import client
from tollway.config import settings
from tollway.errors import ProviderNotConfigured


def state_machine_arn() -> str:
    arn = settings().operations_state_machine_arn
    if not arn:
        raise ProviderNotConfigured("Async operations are not configured: OPERATIONS_STATE_MACHINE_ARN is not set",
                                    code="operations_not_configured")
    return arn


def execution_arn(name: str) -> str:
    """arn:…:stateMachine:<machine> → arn:…:execution:<machine>:<name>, as Step Functions names them."""
    prefix, _, machine = state_machine_arn().rpartition(":stateMachine:")
    return f"{prefix}:execution:{machine}:{name}"


def start(op_id: str, name: str) -> str:
    sfn = client("stepfunctions")
    try:
        response = sfn.start_execution(stateMachineArn=state_machine_arn(), name=name,
                                       input=json.dumps({"operation_id": op_id}))
    except sfn.exceptions.ExecutionAlreadyExists:
        return execution_arn(name)  # started by an earlier attempt of this same call
    return str(response["executionArn"])


def stop(name: str) -> None:
    """Stop the execution if it still runs; one that already ended (or never started) is fine."""
    sfn = client("stepfunctions")
    try:
        sfn.stop_execution(executionArn=execution_arn(name), cause="cancelled by the client")
    except (sfn.exceptions.ExecutionDoesNotExist, sfn.exceptions.InvalidArn):
        pass
