"""Media calls keep chat's DynamoDB budget: one request before the upstream call, one after —
storing the result in S3 (response_format url) included."""

import time

import pytest

from tests.integration.test_dynamodb_budget import dynamodb_requests, wait_for  # noqa: F401 - the fixture

CALLS = {
    "embeddings": ("/v1/embeddings", {"model": "text-embedding-3-small", "input": "hi there"}),
    "images-url": ("/v1/images/generations", {"model": "dall-e-3", "prompt": "x", "response_format": "url"}),
    "moderations": ("/v1/moderations", {"input": "hi"}),
    "rerank": ("/v1/rerank", {"model": "rerank-v3.5", "query": "q", "documents": ["a", "b"]}),
}


@pytest.mark.parametrize("call", CALLS)
def test_a_warm_media_call_makes_one_dynamodb_request_before_the_upstream_and_one_after(
        caller, media, dynamodb_requests, call: str) -> None:  # noqa: F811
    path, body = CALLS[call]
    assert caller.post(path, json=body).status_code == 200  # warm: clients, pools, caches
    dynamodb_requests.clear()
    media.reset()
    assert caller.post(path, json=body).status_code == 200
    wait_for(dynamodb_requests, 2)
    time.sleep(0.2)  # a third request, if the code made one, would have been sent by now
    upstream_called_at = _first_upstream_call(media)
    before = [op for op, at in dynamodb_requests if at < upstream_called_at]
    after = [op for op, at in dynamodb_requests if at >= upstream_called_at]
    assert before == ["UpdateItem"] and after == ["TransactWriteItems"]


def _first_upstream_call(media) -> float:
    assert media.requests, "the upstream was not called"
    return media.requests[0].at
