"""`tollway serve` takes its tables, bucket, environment and routes from template.yaml, not a second list."""

from pathlib import Path

from tollway.local.resources import local_environment, local_names
from tollway.local.template import Template

ROOT = Path(__file__).resolve().parents[2]


def test_every_api_event_in_the_template_becomes_a_local_route() -> None:
    template = Template(ROOT / "template.yaml")
    routes = {(r.function, r.method, r.path) for r in template.routes()}
    declared = set()
    for name, props in template.of_type("AWS::Serverless::Function").items():
        for event in (props.get("Events") or {}).values():
            if event["Type"] == "Api":
                declared.add((name, event["Properties"]["Method"].upper(), event["Properties"]["Path"]))
    assert routes == declared
    assert ("HealthFunction", "GET", "/health") in routes
    assert ("ChatFunction", "POST", "/v1/chat/completions") in routes
    for route in template.routes():
        assert (route.code_uri / "app.py").is_file()


def test_the_global_environment_points_at_local_resource_names() -> None:
    template = Template(ROOT / "template.yaml")
    names = local_names(template)
    env = local_environment(template)
    assert env["KEYS_TABLE"] == names["KeysTable"] == "KeysTable"
    assert env["FILES_BUCKET"] == names["FilesBucket"] == "tollway-filesbucket"
    assert "TOLLWAY_SECRETS_ID" not in env  # a parameter reference: provider keys come from the environment locally
    assert set(template.of_type("AWS::DynamoDB::Table")) <= set(names)


def test_scheduled_functions_are_read_with_their_rate() -> None:
    schedules = {s.function: s for s in Template(ROOT / "template.yaml").schedules()}
    sweeper = schedules["SweeperFunction"]
    assert sweeper.every_s == 300 and sweeper.handler == "handler"
    assert (sweeper.code_uri / "app.py").is_file()
