"""Reading template.yaml: resources, the API routes each function declares, global environment.

CloudFormation's short-form tags (!Ref, !Sub, !GetAtt, ...) become their long-form dicts, so the
same parsed document serves every reader here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Schedule:
    function: str  # logical id
    code_uri: Path
    handler: str  # attribute of app.py, from `Handler: app.<name>`
    every_s: int


@dataclass(frozen=True)
class FunctionCode:
    """A Python function as Lambda runs it: app.py from its CodeUri, the handler attribute, its env."""

    function: str  # logical id
    code_uri: Path
    handler: str  # attribute of app.py, from `Handler: app.<name>`
    environment: dict[str, Any]  # its own Environment.Variables, unresolved


@dataclass(frozen=True)
class StateMachine:
    name: str  # logical id
    definition_path: Path
    substitutions: dict[str, Any]  # DefinitionSubstitutions, unresolved


@dataclass(frozen=True)
class Route:
    function: str  # logical id
    code_uri: Path
    method: str
    path: str  # API Gateway form: /admin/keys/{key_id}


class Template:
    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.root = self.path.parent
        self.doc: dict[str, Any] = yaml.load(self.path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
        self.resources: dict[str, dict[str, Any]] = self.doc.get("Resources", {})

    def of_type(self, type_: str) -> dict[str, dict[str, Any]]:
        return {name: r.get("Properties", {}) for name, r in self.resources.items() if r.get("Type") == type_}

    def routes(self) -> list[Route]:
        found = []
        for name, props in self.of_type("AWS::Serverless::Function").items():
            for event in (props.get("Events") or {}).values():
                if event.get("Type") != "Api":
                    continue
                p = event["Properties"]
                found.append(Route(name, self.root / props["CodeUri"], p["Method"].upper(), p["Path"]))
        return found

    def schedules(self) -> list[Schedule]:
        """Functions run on a `rate(...)` schedule (Schedule / ScheduleV2 events)."""
        found = []
        for name, props in self.of_type("AWS::Serverless::Function").items():
            for event in (props.get("Events") or {}).values():
                if event.get("Type") not in ("Schedule", "ScheduleV2"):
                    continue
                expression = str(event["Properties"].get("Schedule") or event["Properties"]["ScheduleExpression"])
                rate = _RATE.match(expression)
                if rate is None:
                    raise ValueError(f"{name}: only rate(...) schedules run locally, not {expression!r}")
                every = int(rate.group(1)) * _UNIT_S[rate.group(2).rstrip("s")]
                handler = str(props["Handler"]).split(".", 1)[1]
                found.append(Schedule(name, self.root / props["CodeUri"], handler, every))
        return found

    def python_functions(self) -> dict[str, FunctionCode]:
        """Functions whose handler is `app.<name>` (not the ones run by a wrapper script)."""
        found = {}
        for name, props in self.of_type("AWS::Serverless::Function").items():
            handler = str(props.get("Handler", ""))
            if handler.startswith("app."):
                env = ((props.get("Environment") or {}).get("Variables")) or {}
                found[name] = FunctionCode(name, self.root / props["CodeUri"], handler.split(".", 1)[1], env)
        return found

    def state_machines(self) -> list[StateMachine]:
        return [StateMachine(name, self.root / props["DefinitionUri"], props.get("DefinitionSubstitutions") or {})
                for name, props in self.of_type("AWS::Serverless::StateMachine").items()]

    def global_environment(self) -> dict[str, Any]:
        return (((self.doc.get("Globals") or {}).get("Function") or {}).get("Environment") or {}).get("Variables") or {}


def local_bucket_name(logical_id: str) -> str:
    """S3 names are lowercase DNS labels; CloudFormation would generate one, locally we derive it."""
    return "tollway-" + re.sub(r"[^a-z0-9-]", "-", logical_id.lower())


def find_template(start: Path | None = None) -> Path:
    """template.yaml in the working directory or a parent, else beside this installed package."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "template.yaml"
        if candidate.is_file():
            return candidate
    packaged = Path(__file__).resolve().parents[4] / "template.yaml"
    if packaged.is_file():
        return packaged
    raise FileNotFoundError("template.yaml not found: run from the project folder or pass --template")
