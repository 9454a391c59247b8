"""Inside the emulator child: create the tables and buckets template.yaml declares before saying
it is ready, by handing its own WSGI app the AWS requests (no socket, no boto3).

    create_template_resources(app, template)   # app: the emulator's WSGI app, DynamoDB lock included

The gateway then needs no AWS client at start-up (boto3 loads with its first request that uses
one), and the emulator answers its first request with every table in place. Existing tables and
buckets (a restored snapshot) are kept, and get the global indexes the template added since. The requests are the public API's, as boto3 would send
them (moto checks neither signatures nor dates), so they do not depend on moto's internals.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.test import Client

from tollway.local.resources import bucket_names, table_specs
from tollway.local.template import Template

REGION = "us-east-1"


def _authorization(service: str) -> str:
    return (f"AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/{service}/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=0")


def _dynamodb(client: Client, action: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/", data=json.dumps(body), headers={
        "Authorization": _authorization("dynamodb"), "X-Amz-Target": f"DynamoDB_20120810.{action}",
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Date": "20260101T000000Z"})
    if response.status_code != 200:
        raise RuntimeError(f"DynamoDB {action} failed: HTTP {response.status_code} {response.get_data(True)[:500]}")
    return json.loads(response.get_data()) if response.get_data() else {}


def _s3(client: Client, method: str, bucket: str) -> int:
    response = client.open(f"/{bucket}", method=method, headers={
        "Authorization": _authorization("s3"), "X-Amz-Date": "20260101T000000Z",
        "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"})
    return response.status_code


def _add_missing_indexes(client: Client, create: dict[str, Any]) -> None:
    """A table restored from an older snapshot gets the global indexes the template has added since."""
    table = _dynamodb(client, "DescribeTable", {"TableName": create["TableName"]})["Table"]
    present = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    for index in create.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in present:
            continue
        names = {part["AttributeName"] for part in index["KeySchema"]}
        _dynamodb(client, "UpdateTable", {
            "TableName": create["TableName"],
            "AttributeDefinitions": [d for d in create["AttributeDefinitions"] if d["AttributeName"] in names],
            "GlobalSecondaryIndexUpdates": [{"Create": index}]})


def create_template_resources(app: Any, template: Template) -> None:
    client = Client(app)
    existing: set[str] = set()
    start: dict[str, Any] = {}
    while True:  # ListTables pages by 100
        page = _dynamodb(client, "ListTables", start)
        existing.update(page.get("TableNames", []))
        if "LastEvaluatedTableName" not in page:
            break
        start = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    for create, ttl in table_specs(template):
        if create["TableName"] in existing:
            _add_missing_indexes(client, create)
            continue
        _dynamodb(client, "CreateTable", create)
        if ttl:
            _dynamodb(client, "UpdateTimeToLive", {"TableName": create["TableName"], "TimeToLiveSpecification": ttl})
    for bucket in bucket_names(template):
        if _s3(client, "HEAD", bucket) == 200:
            continue
        status = _s3(client, "PUT", bucket)
        if status != 200:
            raise RuntimeError(f"S3 CreateBucket {bucket} failed: HTTP {status}")
