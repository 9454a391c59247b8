"""Create in the emulator the state machines template.yaml declares, with the functions they invoke.

    arns = deploy_state_machines(template, boto3.session.Session())
    arns["OperationsStateMachine"]   # arn:aws:states:…:stateMachine:OperationsStateMachine

Each `AWS::Serverless::StateMachine` is created from its `DefinitionUri` file with its
`DefinitionSubstitutions` resolved to local ARNs — the very file deployed to AWS, never a second
copy. Every function a definition references becomes an emulator Lambda function (with a
placeholder zip and its resolved environment); the emulator's local runtime (`lambda_runtime.py`)
runs the real code from the function's CodeUri when a state machine invokes it.

`tollway serve` deploys them when Step Functions is first used, not at start (they load ~10 MB
of the emulator's ASL parser and take a second that the first chat does not need): the
environment names them by `planned_arns` at once, and the deployment checks it got those.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from typing import Any

from tollway.local.resources import local_environment, local_names, resolve_variables
from tollway.local.template import FunctionCode, Template

ROLE_NAME = "tollway-local"
DEFAULT_ACCOUNT = "123456789012"  # the emulator's (moto's) account, in every ARN it makes
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
    "Service": ["lambda.amazonaws.com", "states.amazonaws.com"]}}]}


def substitute(definition: str, values: dict[str, str]) -> str:
    """`${Name}` → values[Name], as CloudFormation applies DefinitionSubstitutions; an unknown name is an error."""
    missing = sorted(set(_PLACEHOLDER.findall(definition)) - set(values))
    if missing:
        raise ValueError(f"the definition uses {missing} but DefinitionSubstitutions does not define them")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], definition)


def _target(value: Any) -> tuple[str, str] | None:
    """(logical id, "Arn" | "Ref") for `!GetAtt X.Arn` / `!Ref X`; None for a literal."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        if attribute != "Arn":
            raise ValueError(f"only !GetAtt <resource>.Arn is resolved locally, not {attribute}")
        return str(logical_id), "Arn"
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"]), "Ref"
    if isinstance(value, dict):
        raise ValueError(f"unsupported substitution value {value!r}")
    return None


def resolve_substitutions(substitutions: dict[str, Any], arns: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    values = {}
    for key, value in substitutions.items():
        target = _target(value)
        if target is None:
            values[key] = str(value)
        elif target[1] == "Arn":
            values[key] = arns[target[0]]
        elif target[0] in names:  # Ref to a table or bucket: its name
            values[key] = names[target[0]]
        else:  # Ref to a function is its name, to a state machine its ARN
            arn = arns[target[0]]
            values[key] = arn.rsplit(":", 1)[-1] if ":function:" in arn else arn
    return values


def planned_arns(template: Template, region: str) -> dict[str, str]:
    """The ARNs `deploy_state_machines` will return, by logical id, before anything is deployed."""
    functions = template.python_functions()
    account = os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT  # moto's own override, if set
    arns = {}
    for machine in template.state_machines():
        for value in machine.substitutions.values():
            target = _target(value)
            if target and target[0] in functions:
                arns[target[0]] = f"arn:aws:lambda:{region}:{account}:function:{target[0]}"
        arns[machine.name] = f"arn:aws:states:{region}:{account}:stateMachine:{machine.name}"
    return arns


def deploy_as_planned(template: Template, session: Any) -> None:
    """Deploy; raise if the emulator named anything other than `planned_arns` said (the environment
    already points there)."""
    deployed = deploy_state_machines(template, session)
    planned = planned_arns(template, session.region_name)
    if deployed != planned:
        raise RuntimeError(f"the emulator named the state machines {deployed}, not {planned} as planned")


def deploy_state_machines(template: Template, session: Any) -> dict[str, str]:
    """Create (or update) every state machine and the functions it references; logical id → ARN."""
    machines = template.state_machines()
    if not machines:
        return {}
    names = local_names(template)
    functions = template.python_functions()
    shared_env = local_environment(template)
    role = _role(session.client("iam"))
    lam, sfn = session.client("lambda"), session.client("stepfunctions")
    arns: dict[str, str] = {}
    for machine in machines:
        for value in machine.substitutions.values():
            target = _target(value)
            if target and target[0] in functions and target[0] not in arns:
                code = functions[target[0]]
                env = shared_env | resolve_variables(code.environment, names | arns)
                arns[target[0]] = _function(lam, code, role, env)
        values = resolve_substitutions(machine.substitutions, arns, names)
        definition = substitute(machine.definition_path.read_text(), values)
        arns[machine.name] = _state_machine(sfn, machine.name, definition, role)
    return arns


def _role(iam: Any) -> str:
    try:
        return str(iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        return str(iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(_TRUST))["Role"]["Arn"])


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "# tollway serve runs the function's code from its CodeUri\n")
    return buffer.getvalue()


def _function(lam: Any, code: FunctionCode, role: str, env: dict[str, str]) -> str:
    config = {"Role": role, "Handler": f"app.{code.handler}", "Runtime": "python3.12",
              "Environment": {"Variables": env}}
    try:
        created = lam.create_function(FunctionName=code.function, Code={"ZipFile": _placeholder_zip()}, **config)
        return str(created["FunctionArn"])
    except lam.exceptions.ResourceConflictException:
        return str(lam.update_function_configuration(FunctionName=code.function, **config)["FunctionArn"])


def _state_machine(sfn: Any, name: str, definition: str, role: str) -> str:
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == name:
                sfn.update_state_machine(stateMachineArn=machine["stateMachineArn"], definition=definition,
                                         roleArn=role)
                return str(machine["stateMachineArn"])
    return str(sfn.create_state_machine(name=name, definition=definition, roleArn=role)["stateMachineArn"])
