"""The operations state machine: the template wires the file it runs, the emulator's ASL parser
accepts it once substituted (so the same file runs locally), and every task fails into a refund."""

import json
from pathlib import Path

import pytest

from tollway.local.state_machines import resolve_substitutions, substitute
from tollway.local.template import Template

ROOT = Path(__file__).resolve().parents[2]
WORKER_ARN = "arn:aws:lambda:us-east-1:123456789012:function:OperationsWorkerFunction"


def machine() -> tuple[dict, dict]:
    (found,) = Template(ROOT / "template.yaml").state_machines()
    values = resolve_substitutions(found.substitutions, {"OperationsWorkerFunction": WORKER_ARN}, {})
    return json.loads(found.definition_path.read_text()), json.loads(substitute(found.definition_path.read_text(),
                                                                                 values))


def test_substitution_replaces_every_placeholder_and_refuses_unknown_ones() -> None:
    assert substitute('{"a": "${X}", "b": "${X}-${Y}"}', {"X": "1", "Y": "2"}) == '{"a": "1", "b": "1-2"}'
    with pytest.raises(ValueError, match="Missing"):
        substitute('{"a": "${Missing}"}', {"X": "1"})


@pytest.mark.parametrize(("value", "expected"), [
    ({"Fn::GetAtt": ["OperationsWorkerFunction", "Arn"]}, WORKER_ARN),
    ({"Ref": "OperationsWorkerFunction"}, "OperationsWorkerFunction"),
    ({"Ref": "OperationsTable"}, "OperationsTable"),
    ("literal", "literal"),
])
def test_substitution_values_resolve_to_local_arns_and_names(value, expected: str) -> None:
    names = {"OperationsTable": "OperationsTable"}
    assert resolve_substitutions({"V": value}, {"OperationsWorkerFunction": WORKER_ARN}, names) == {"V": expected}


def test_the_template_substitutes_exactly_the_placeholders_the_definition_uses() -> None:
    (found,) = Template(ROOT / "template.yaml").state_machines()
    text = found.definition_path.read_text()
    assert found.definition_path == ROOT / "statemachines" / "operation.asl.json"
    assert {f"${{{name}}}" for name in found.substitutions} == {"${OperationsWorkerFunctionArn}"}
    assert "${OperationsWorkerFunctionArn}" in text


def test_the_local_emulator_parses_the_substituted_definition() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    _, definition = machine()
    AmazonStateLanguageParser.parse(json.dumps(definition))  # raises on anything it cannot run


def test_every_task_invokes_the_worker_and_every_failure_ends_in_a_refund_or_an_alarm() -> None:
    raw, definition = machine()
    tasks = {name: s for name, s in definition["States"].items() if s["Type"] == "Task"}
    assert set(tasks) == {"Submit", "Poll", "Store", "Fail", "Notify"}
    for name, state in tasks.items():
        assert state["Resource"] == "arn:aws:states:::lambda:invoke"  # never http:invoke: it does not run locally
        assert state["Parameters"]["FunctionName"] == WORKER_ARN
        assert state["Parameters"]["Payload"]["action"] == name.lower()
        (catch,) = state["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"]
        expected = {"Fail": "NotFinalized", "Notify": "Done"}.get(name, "Fail")
        assert catch["Next"] == expected, name
    # A final failure is never retried; a transient upstream one is, with backoff.
    retriers = {r["ErrorEquals"][0]: r for r in tasks["Poll"]["Retry"]}
    assert retriers["OperationFailed"]["MaxAttempts"] == 0
    assert retriers["UpstreamUnavailable"]["BackoffRate"] > 1
    assert definition["States"]["WaitBeforePoll"]["SecondsPath"] == "$.wait_s"
    assert raw["States"]["Submit"]["Parameters"]["FunctionName"] == "${OperationsWorkerFunctionArn}"


def test_the_local_environment_names_the_deployed_state_machine_for_the_functions_that_start_it() -> None:
    from tollway.local.resources import local_environment

    template = Template(ROOT / "template.yaml")
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:OperationsStateMachine"
    assert "OPERATIONS_STATE_MACHINE_ARN" not in local_environment(template)  # not deployed yet: left out
    env = local_environment(template, {"OperationsStateMachine": arn})
    assert env["OPERATIONS_STATE_MACHINE_ARN"] == arn and env["OPERATIONS_TABLE"] == "OperationsTable"
