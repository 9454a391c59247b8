"""A data dir saved before the console existed: its KeysTable and OperationsTable come back without
the indexes the console reads, and the emulator adds them at start (once) instead of failing the
console's first query."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_table_restored_from_an_older_snapshot_gets_the_indexes_added_since() -> None:
    from moto.moto_server.werkzeug_app import create_backend_app
    from werkzeug.test import Client

    from tollway.local.emulator_resources import _dynamodb, create_template_resources
    from tollway.local.emulator_server import ServiceDispatcher
    from tollway.local.template import Template

    app = ServiceDispatcher(create_backend_app)
    client = Client(app)
    client.post("/moto-api/reset")
    old = {"BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
           "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}
    for name in ("KeysTable", "OperationsTable"):
        _dynamodb(client, "CreateTable", {"TableName": name, **old})
    template = Template(ROOT / "template.yaml")
    create_template_resources(app, template)
    create_template_resources(app, template)  # a second start changes nothing
    indexes = {name: [i["IndexName"] for i in _dynamodb(client, "DescribeTable", {"TableName": name})["Table"]
                      .get("GlobalSecondaryIndexes", [])] for name in ("KeysTable", "OperationsTable")}
    assert indexes == {"KeysTable": ["AccountKeys"], "OperationsTable": ["KeyOperations"]}
    tables = _dynamodb(client, "ListTables", {})["TableNames"]
    assert "AccountsTable" in tables
    client.post("/moto-api/reset")
