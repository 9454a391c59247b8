"""The emulator's transactions, with item-level backups (local/dynamodb_patches.py), still roll back
exactly like DynamoDB: a cancelled transaction changes nothing."""

import uuid

import pytest


@pytest.fixture()
def table(environment: str) -> str:
    from tollway.aws_clients import client

    name = f"tx-{uuid.uuid4().hex[:8]}"
    ddb = client("dynamodb")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"S": "1"}, "n": {"N": "1"}})
    return name


def items(name: str) -> dict[tuple[str, str], int]:
    from tollway.aws_clients import client

    rows = client("dynamodb").scan(TableName=name, ConsistentRead=True)["Items"]
    return {(r["pk"]["S"], r["sk"]["S"]): int(r["n"]["N"]) for r in rows}


def test_a_cancelled_transaction_undoes_its_updates_puts_and_deletes(table: str) -> None:
    from tollway.aws_clients import client

    ddb = client("dynamodb")
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
                        "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "new"}, "sk": {"S": "1"}, "n": {"N": "5"}}}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "b"}, "sk": {"S": "1"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "c"}, "sk": {"S": "1"}, "n": {"N": "9"}},
                     "ConditionExpression": "attribute_exists(pk)"}},  # fails: the whole transaction is cancelled
        ])
    assert items(table) == {("a", "1"): 1, ("b", "1"): 1}


def test_a_committed_transaction_applies_everything(table: str) -> None:
    from tollway.aws_clients import client

    client("dynamodb").transact_write_items(TransactItems=[
        {"Update": {"TableName": table, "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
                    "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Put": {"TableName": table, "Item": {"pk": {"S": "c"}, "sk": {"S": "2"}, "n": {"N": "7"}}}},
        {"Delete": {"TableName": table, "Key": {"pk": {"S": "b"}, "sk": {"S": "1"}}}}])
    assert items(table) == {("a", "1"): 2, ("c", "2"): 7}
