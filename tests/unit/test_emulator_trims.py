"""What the local emulator and `tollway serve` skip or do once must not change any answer."""

import base64
import copy
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tollway import aws_clients
from tollway.local.after_import import when_imported


def _environ(service: str | None, path: str = "/", target: str | None = None, host: str = "127.0.0.1:4566") -> dict[str, Any]:
    environ: dict[str, Any] = {"PATH_INFO": path, "HTTP_HOST": host, "REQUEST_METHOD": "POST",
                               "CONTENT_TYPE": "application/x-amz-json-1.0", "CONTENT_LENGTH": "2"}
    if service:
        environ["HTTP_AUTHORIZATION"] = (f"AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, "
                                         "SignedHeaders=host, Signature=0")
    if target:
        environ["HTTP_X_AMZ_TARGET"] = target
    return environ


SIGNED = [
    ("dynamodb", "/", "DynamoDB_20120810.GetItem"),
    ("s3", "/bucket/some/key", None),
    ("states", "/", "AWSStepFunctions.StartExecution"),
    ("lambda", "/2015-03-31/functions/Worker/invocations", None),
    ("iam", "/", None),
    ("sts", "/", None),
    ("logs", "/", "Logs_20140328.PutLogEvents"),
]
MOTOS_OWN = [  # requests the dispatcher must leave to moto's own dispatch
    _environ(None, "/bucket/key"),  # a presigned URL: unsigned
    _environ("dynamodb", target="DynamoDBStreams_20120810.GetRecords"),
    _environ("s3", "/v20180820/configuration/publicAccessBlock"),
    _environ("dynamodb", "/moto-api/reset", target="DynamoDB_20120810.GetItem"),
]


@pytest.mark.parametrize(("service", "path", "target"), SIGNED)
def test_a_signed_request_reaches_the_app_moto_itself_would_pick(service: str, path: str, target: str | None) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from tollway.local.emulator_server import ServiceDispatcher

    fast, moto = ServiceDispatcher(create_backend_app), DomainDispatcherApplication(create_backend_app)
    environ = _environ(service, path, target)
    first = fast.get_application(dict(environ))
    assert first.service == moto.get_application(dict(environ)).service  # type: ignore[attr-defined]
    assert fast.get_application(dict(environ)) is first and service in fast.by_service


@pytest.mark.parametrize("environ", MOTOS_OWN)
def test_requests_a_signing_name_does_not_decide_go_through_motos_own_dispatch(environ: dict[str, Any]) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from tollway.local.emulator_server import ServiceDispatcher

    fast, moto = ServiceDispatcher(create_backend_app), DomainDispatcherApplication(create_backend_app)
    assert fast.get_application(dict(environ)).service == moto.get_application(dict(environ)).service  # type: ignore[attr-defined]
    assert fast.by_service == {}


ITEM = {
    "s": {"S": "text"}, "empty": {"S": ""}, "n": {"N": "-12.5"}, "bytes": {"B": b"\x00\xff"}, "b64": {"B": "aGk="},
    "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"a", b"\x01"]}, "null": {"NULL": True},
    "bool": {"BOOL": False}, "empty_map": {"M": {}}, "empty_list": {"L": []},
    "nested": {"M": {"holds": {"M": {"h1": {"M": {"amount": {"N": "1000"}, "tags": {"L": [{"S": "x"}, {"N": "1"}]}}}}}}},
    # not plain: moto's serializer decides what these become
    "number_not_string": {"S": 5}, "two_types": {"S": "a", "N": "1"}, "unknown_type": {"X": "1"},
    "none": {"S": None}, "deep_odd": {"M": {"x": {"L": [{"S": "ok"}, {"N": 7}]}}},
}


@pytest.mark.parametrize("operation", ["GetItem", "UpdateItem", "Query", "BatchGetItem", "TransactGetItems"])
def test_attribute_values_are_written_exactly_as_motos_serializer_writes_them(operation: str) -> None:
    from moto.core.serialize import BaseJSONSerializer, JSONSerializer, XFormedAttributePicker
    from moto.core.utils import get_service_model

    from tollway.local.dynamodb_patches import serialize_structure

    class Generic(JSONSerializer):
        _serialize_type_structure = BaseJSONSerializer._serialize_type_structure

    class Direct(JSONSerializer):
        _serialize_type_structure = serialize_structure

    result = {
        "GetItem": {"Item": ITEM},
        "UpdateItem": {"Attributes": ITEM},
        "Query": {"Items": [ITEM, ITEM], "Count": 2, "ScannedCount": 2},
        "BatchGetItem": {"Responses": {"Keys": [ITEM]}, "UnprocessedKeys": {}},
        "TransactGetItems": {"Responses": [{"Item": ITEM}]},
    }[operation]
    model = get_service_model("dynamodb").operation_model(operation)

    def body(serializer: type[JSONSerializer]) -> Any:
        written = serializer(operation_model=model, value_picker=XFormedAttributePicker()).serialize(copy.deepcopy(result))
        return json.loads(written["body"])

    assert body(Direct) == body(Generic)
    assert body(Direct)[next(iter(result))] != {}  # the comparison saw the items


REQUEST_ITEM = {
    "s": {"S": "text"}, "n": {"N": "7"}, "b": {"B": "AP8="}, "ss": {"SS": ["a"]}, "ns": {"NS": ["1", "2"]},
    "bs": {"BS": ["YQ==", "AQ=="]}, "null": {"NULL": True}, "bool": {"BOOL": True}, "empty_map": {"M": {}},
    "nested": {"M": {"l": {"L": [{"S": "x"}, {"M": {"deep": {"N": "1"}}}]}}},
    # not plain: moto's parser decides what these become
    "null_string": {"S": None}, "number": {"N": 7}, "two_types": {"S": "a", "N": "1"}, "unknown": {"X": "1"},
    "odd_inside": {"L": [{"S": "ok"}, {"S": 5}]},
}


@pytest.mark.parametrize("operation", ["PutItem", "BatchWriteItem", "TransactWriteItems", "UpdateItem", "Query"])
def test_attribute_values_are_read_exactly_as_motos_parser_reads_them(operation: str) -> None:
    from moto.core.parse import BaseJSONParser, JSONParser
    from moto.core.utils import get_service_model

    from moto.core.parse import RequestParser

    from tollway.local.dynamodb_patches import parse_map, parse_structure

    class Generic(JSONParser):
        _parse_structure = BaseJSONParser._parse_structure
        _parse_map = RequestParser._parse_map

    class Direct(JSONParser):
        _parse_structure = parse_structure
        _parse_map = parse_map

    body = {
        "PutItem": {"TableName": "T", "Item": REQUEST_ITEM},
        "BatchWriteItem": {"RequestItems": {"T": [{"PutRequest": {"Item": REQUEST_ITEM}},
                                                  {"DeleteRequest": {"Key": {"id": {"S": "1"}}}}]}},
        "TransactWriteItems": {"TransactItems": [{"Put": {"TableName": "T", "Item": REQUEST_ITEM}},
                                                 {"Update": {"TableName": "T", "Key": {"id": {"S": "1"}},
                                                             "UpdateExpression": "SET a = :v",
                                                             "ExpressionAttributeValues": {":v": {"N": "1"}}}}]},
        "UpdateItem": {"TableName": "T", "Key": {"id": {"S": "1"}}, "UpdateExpression": "SET a = :v",
                       "ExpressionAttributeValues": {f":{name}": value for name, value in REQUEST_ITEM.items()}},
        "Query": {"TableName": "T", "KeyConditionExpression": "k = :k", "ExpressionAttributeValues": {":k": {"S": "1"}},
                  "ExclusiveStartKey": {"k": {"S": "1"}, "sk": {"N": "2"}}},
    }[operation]
    model = get_service_model("dynamodb").operation_model(operation)
    request = {"method": "POST", "values": {}, "headers": {}, "url_path": "/", "url_params": {},
               "body": json.dumps(body).encode()}
    assert Direct(model, map_type=dict).parse(dict(request)) == Generic(model, map_type=dict).parse(dict(request))


def test_an_item_is_measured_once_with_the_same_limit_and_error_as_moto() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    from tollway.local.dynamodb_patches import fill_attributes

    def moto_way(attrs: dict[str, Any]) -> LimitedSizeDict:
        target = LimitedSizeDict()
        for key, value in attrs.items():
            target[key] = DynamoType(value)
        return target

    plain = {"id": {"S": "k1"}, "n": {"N": "1"}, "m": {"M": {"a": {"L": [{"S": "x"}]}}}, "b": {"B": b"\x00"}}
    once = LimitedSizeDict()
    fill_attributes(once, plain)
    assert once == moto_way(plain) and type(once) is LimitedSizeDict
    for size in (404_900, 404_990, 405_010):  # around the limit: both agree on which items fit
        attrs = {"id": {"S": "k"}, "blob": {"S": "x" * size}}
        try:
            expected: Any = moto_way(attrs)
        except ItemSizeTooLarge:
            expected = ItemSizeTooLarge
        try:
            got: Any = LimitedSizeDict()
            fill_attributes(got, attrs)
        except ItemSizeTooLarge:
            got = ItemSizeTooLarge
        assert got == expected, size


def test_binary_attribute_values_are_base64_as_dynamodb_json_wants() -> None:
    from tollway.local.dynamodb_patches import attribute_value_json

    def b64(value: Any) -> str:
        return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()

    assert attribute_value_json({"B": b"\x00\xff"}, b64) == {"B": "AP8="}
    assert attribute_value_json({"M": {"x": {"S": 1}}}, b64) is None


def test_region_lists_are_the_ones_moto_would_list(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.core.base_backend import AccountSpecificBackend

    from tollway.local.moto_trims import share_region_lists

    original = AccountSpecificBackend._generate_regions
    monkeypatch.setattr(AccountSpecificBackend, "_generate_regions", original)  # put back after the test
    backend = AccountSpecificBackend(service_name="dynamodb", account_id="123456789012", backend=object,
                                     use_boto3_regions=False, additional_regions=None)
    expected = {service: original(backend, service) for service in ("dynamodb", "s3", "iam")}
    share_region_lists(("dynamodb", "s3"))
    assert AccountSpecificBackend._generate_regions is not original
    for service, regions in expected.items():
        assert AccountSpecificBackend._generate_regions(backend, service) == regions
    assert "us-east-1" in expected["dynamodb"]


def test_moto_batch_loads_its_models_only_when_batch_backends_are_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from tollway.local.moto_trims import defer_moto_batch

    for name in [m for m in sys.modules if m == "moto.batch" or m.startswith("moto.batch.")]:
        monkeypatch.delitem(sys.modules, name)
    defer_moto_batch()
    monkeypatch.setitem(sys.modules, "moto.batch", sys.modules["moto.batch"])  # removed again after the test
    from moto.batch.utils import JobStatus  # what moto's Step Functions parser takes from it

    assert JobStatus and "moto.batch.models" not in sys.modules
    from moto.batch import batch_backends

    assert "moto.batch.models" in sys.modules and batch_backends is sys.modules["moto.batch.models"].batch_backends


def test_code_runs_right_after_a_module_is_first_imported_and_at_once_if_it_was(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "watched_pkg_for_tollway_test"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text("VALUE = 1\n\ndef where():\n    return VALUE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    seen: list[types.ModuleType] = []
    when_imported("watched_pkg_for_tollway_test.mod", seen.append)
    assert seen == []
    import inspect

    import watched_pkg_for_tollway_test.mod as mod  # type: ignore[import-not-found]

    assert seen == [mod] and mod.where() == 1
    assert "return VALUE" in inspect.getsource(mod.where)  # tracebacks still show the source
    when_imported("watched_pkg_for_tollway_test.mod", seen.append)
    assert seen == [mod, mod]
    for name in ("watched_pkg_for_tollway_test", "watched_pkg_for_tollway_test.mod"):
        monkeypatch.delitem(sys.modules, name)


def test_a_preparation_runs_once_before_the_first_client_and_again_after_it_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing is called
    aws_clients.reset()
    calls: list[str] = []

    def prepare() -> None:
        calls.append("prepare")
        if len(calls) == 1:
            raise RuntimeError("the emulator is not there yet")

    aws_clients.before_first_client("sts", prepare)
    try:
        with pytest.raises(RuntimeError):
            aws_clients.client("sts")
        first = aws_clients.client("sts")
        assert aws_clients.client("sts") is first and calls == ["prepare", "prepare"]
    finally:
        aws_clients.reset()


def test_a_partition_query_answers_what_motos_walk_of_the_whole_table_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch 6 of dynamodb_patches: a Query reads its partition only; results, order, pages and
    filters are moto's own."""
    import boto3

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # moto in this process, not the emulator
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    from moto import mock_aws

    from tollway.local import dynamodb_patches

    def run() -> list[Any]:
        with mock_aws():
            ddb = boto3.client("dynamodb", region_name="us-east-1")
            ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                   {"AttributeName": "sk", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                        {"AttributeName": "sk", "KeyType": "RANGE"}])
            for p in range(5):
                for i in range(7):
                    ddb.put_item(TableName="t", Item={"pk": {"S": f"p{p}"}, "sk": {"S": f"{(i * 3) % 7:02d}"},
                                                      "n": {"N": str(i)}})
            answers = []
            for kw in ({}, {"ScanIndexForward": False}, {"Limit": 3},
                       {"FilterExpression": "n > :two", "ExpressionAttributeValues": {":two": {"N": "2"}}}):
                values = {":p": {"S": "p3"}, ":lo": {"S": "01"}} | kw.pop("ExpressionAttributeValues", {})
                answers.append(ddb.query(TableName="t", KeyConditionExpression="pk = :p AND sk >= :lo",
                                         ExpressionAttributeValues=values, **kw))
            return [{k: v for k, v in a.items() if k != "ResponseMetadata"} for a in answers]

    from moto.dynamodb.models.table import Table

    original = Table.query
    mots_own = run()
    try:
        dynamodb_patches._install_partition_query()
        assert Table.query is not original
        assert run() == mots_own
    finally:
        Table.query = original  # type: ignore[method-assign]
