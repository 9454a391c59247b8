"""Create in the emulator the tables and buckets template.yaml declares, and resolve the
template's global environment to their local names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tollway.local.template import Template, local_bucket_name

TABLE = "AWS::DynamoDB::Table"
BUCKET = "AWS::S3::Bucket"
_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")


def local_names(template: Template) -> dict[str, str]:
    """Logical id → the physical name it has locally (tables keep their logical id)."""
    names = {name: name for name in template.of_type(TABLE)}
    names |= {name: local_bucket_name(name) for name in template.of_type(BUCKET)}
    return names


def table_specs(template: Template) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(CreateTable parameters, TimeToLiveSpecification or None) for each table the template declares."""
    names = local_names(template)
    specs = []
    for logical_id, props in template.of_type(TABLE).items():
        create: dict[str, Any] = {"TableName": names[logical_id], "BillingMode": "PAY_PER_REQUEST"}
        create |= {k: props[k] for k in _TABLE_KEYS if k in props}
        ttl = props.get("TimeToLiveSpecification")
        specs.append((create, ttl if ttl and ttl.get("Enabled") else None))
    return specs


def bucket_names(template: Template) -> list[str]:
    return [local_bucket_name(logical_id) for logical_id in template.of_type(BUCKET)]


def create_resources(template: Template, boto_session: Any) -> dict[str, str]:
    """Through boto3, for an emulator started without the template (the emulator child creates
    them itself when it has it: `emulator_resources.py`)."""
    ddb = boto_session.client("dynamodb")
    s3 = boto_session.client("s3")
    existing = set(ddb.list_tables().get("TableNames", []))
    for create, ttl in table_specs(template):
        if create["TableName"] in existing:
            continue
        ddb.create_table(**create)
        if ttl:
            ddb.update_time_to_live(TableName=create["TableName"], TimeToLiveSpecification=ttl)
    buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for bucket in bucket_names(template):
        if bucket not in buckets:
            s3.create_bucket(Bucket=bucket)
    return local_names(template)


def resolve_variables(variables: Mapping[str, object], names: dict[str, str]) -> dict[str, str]:
    """Environment variables with `!Ref` to a local resource replaced by its local name or ARN.

    References to parameters (the deploy-time secret name) are left out: locally, provider keys
    come from the process environment.
    """
    env = {}
    for key, value in variables.items():
        if isinstance(value, dict):
            ref = value.get("Ref")
            if ref in names:
                env[key] = names[ref]
        else:
            env[key] = str(value)
    return env


def local_environment(template: Template, arns: dict[str, str] | None = None) -> dict[str, str]:
    """The Globals environment resolved to local names, plus every function's own variables that
    name a local resource (`arns`: deployed state machines and functions, by logical id).

    All functions share the local gateway's process, so those references are merged into one
    environment; they name resources, so two functions naming the same variable agree.
    """
    names = local_names(template) | (arns or {})
    env = resolve_variables(template.global_environment(), names)
    for function in template.python_functions().values():
        references = {k: v for k, v in function.environment.items() if isinstance(v, dict) and "Ref" in v}
        for key, value in resolve_variables(references, names).items():
            if env.setdefault(key, value) != value:
                raise ValueError(f"{function.function}: {key} names another resource than another function's")
    return env
