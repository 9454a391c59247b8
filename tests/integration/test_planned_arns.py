"""`tollway serve` names the state machines in its environment before deploying them: the names
must be the ones the emulator gives when they are deployed."""

import os
from pathlib import Path

from tollway.local.resources import local_environment
from tollway.local.state_machines import planned_arns
from tollway.local.template import Template

ROOT = Path(__file__).resolve().parents[2]


def test_the_planned_arns_are_the_ones_the_emulator_gives_the_deployed_state_machines(environment: str) -> None:
    template = Template(ROOT / "template.yaml")
    planned = planned_arns(template, "us-east-1")
    assert any(":stateMachine:" in arn for arn in planned.values()) and any(":function:" in arn for arn in planned.values())
    # The `environment` fixture deployed them at once (as tests do) and set what the emulator returned.
    for name, value in local_environment(template, planned).items():
        assert os.environ.get(name) == value, name
