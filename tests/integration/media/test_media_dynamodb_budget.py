"""Media calls keep chat's DynamoDB budget: none on a warm lease; without one (a balance too small
to lease from, like 10 credits for 0.5-credit images), one request before the upstream call and one
after — storing the result in S3 (response_format url) included."""

import time

import pytest

from tests.integration.test_dynamodb_budget import dynamodb_requests, wait_for  # noqa: F401 - the fixture

CALLS = {  # the path, the body, and whether 10 credits hold 64 reservations (a lease)
    "embeddings": ("/v1/embeddings", {"model": "text-embedding-3-small", "input": "hi there"}, True),
    "images-url": ("/v1/images/generations", {"model": "dall-e-3", "prompt": "x", "response_format": "url"}, False),
    "moderations": ("/v1/moderations", {"input": "hi"}, True),
    "rerank": ("/v1/rerank", {"model": "rerank-v3.5", "query": "q", "documents": ["a", "b"]}, True),
}


@pytest.mark.parametrize("call", CALLS)
def test_a_warm_media_call_makes_one_dynamodb_request_before_the_upstream_and_one_after(
        caller, media, dynamodb_requests, call: str) -> None:  # noqa: F811
    path, body, leased = CALLS[call]
    for _ in range(2 if leased else 1):  # warm: clients, pools, caches (and the lease, when there is one)
        assert caller.post(path, json=body).status_code == 200
    dynamodb_requests.clear()
    media.reset()
    assert caller.post(path, json=body).status_code == 200
    wait_for(dynamodb_requests, 0 if leased else 2)
    time.sleep(0.2)  # a third request, if the code made one, would have been sent by now
    upstream_called_at = _first_upstream_call(media)
    before = [op for op, at in dynamodb_requests if at < upstream_called_at]
    after = [op for op, at in dynamodb_requests if at >= upstream_called_at]
    if leased:
        assert before == [] and after == []
    else:
        assert before == ["UpdateItem"] and after == ["TransactWriteItems"]


def _first_upstream_call(media) -> float:
    assert media.requests, "the upstream was not called"
    return media.requests[0].at
