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


def create_resources(template: Template, boto_session: Any) -> dict[str, str]:
    ddb = boto_session.client("dynamodb")
    s3 = boto_session.client("s3")
    names = local_names(template)
    existing = set(ddb.list_tables().get("TableNames", []))
    for logical_id, props in template.of_type(TABLE).items():
        if names[logical_id] in existing:
            continue
        spec = {k: props[k] for k in _TABLE_KEYS if k in props}
        ddb.create_table(TableName=names[logical_id], BillingMode="PAY_PER_REQUEST", **spec)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            ddb.update_time_to_live(TableName=names[logical_id], TimeToLiveSpecification=ttl)
    buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for logical_id in template.of_type(BUCKET):
        if names[logical_id] not in buckets:
            s3.create_bucket(Bucket=names[logical_id])
    return names


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
