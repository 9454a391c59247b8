"""An async parse over its CPU budget fails, and is charged for the pages it got through like a
parse in the request: the operation says `document_too_complex`, the balance is lower, and the usage
record has credits. A gateway of its own, with TOLLWAY_DOCUMENT_PARSE_SECONDS set very low."""

from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.integration.operations.gateway_client import OpsClient
from tests.served import ServedGateway

NOTES = b"".join(b"Paragraph %d has a few words in it.\n\n" % n for n in range(3500))


@pytest.fixture(scope="module")
def hurried(ops_env: dict[str, str]) -> Iterator[OpsClient]:
    with ServedGateway(env=ops_env | {"TOLLWAY_DOCUMENT_PARSE_SECONDS": "0.001"}) as served:
        yield OpsClient(served)


def test_an_async_parse_over_its_cpu_budget_fails_and_pays_for_the_pages_it_read(hurried) -> None:
    key = hurried.key(credits=1)
    response = hurried.post(key, "/v1/documents/parse", data={"async": "true"},
                            files={"file": ("notes.md", NOTES, "text/markdown")})
    assert response.status_code == 202, response.text
    final, _ = hurried.wait(key, response.json()["id"])
    assert final["status"] == "failed" and final["error"]["code"] == "document_too_complex", final
    assert 0 < final["credits_used"] < final["credits_reserved"]
    assert hurried.balance(key) == 1 - Decimal(str(final["credits_used"]))
    (record,) = hurried.wait_for_usage(key, 1)
    assert (record["status"], record["error_code"], int(record["http_status"])) == ("failed", "document_too_complex",
                                                                                   413)
    assert int(record["credits_micro"]) > 0
