"""Video generation end to end through `tollway serve`: the request answers at once with an
operation, the state machine submits, polls (several times), stores the MP4 in S3 and settles;
failures fail the operation and refund it; cancel stops it and refunds it."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.fakes.jobs import JobScript, fake_mp4
from tests.integration.operations.conftest import OPENAI_KEY, REPLICATE_TOKEN
from tests.integration.operations.gateway_client import wait_until

SORA = {"model": "sora-2", "prompt": "a paper boat on a rainy street", "seconds": 8, "size": "1280x720"}


def test_a_sora_video_runs_queued_running_succeeded_and_its_url_serves_the_mp4(ops, videos) -> None:
    key = ops.key(credits=10)
    videos.book.script = JobScript(polls=3)
    op = ops.submit(key, "/v1/videos/generations", SORA)
    assert (op["kind"], op["model"], op["seconds"], op["credits_reserved"]) == ("video", "sora-2", 8, 8)
    assert op["job_id"] == op["id"]  # older video clients read job_id
    final, seen = ops.wait(key, op["id"])
    statuses = [s["status"] for s in seen]
    assert final["status"] == "succeeded", final
    assert "running" in statuses and statuses.index("running") < statuses.index("succeeded")
    assert any(0 < (s["progress"] or 0) < 100 for s in seen if s["status"] == "running")  # upstream progress
    (job,) = videos.book.jobs.values()
    assert videos.book.creates == 1 and job.polls == 3 and videos.book.downloads == 1
    assert job.request == {"model": "sora-2", "prompt": SORA["prompt"], "seconds": "8", "size": "1280x720"}
    assert job.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    result = final["result"]
    assert (result["content_type"], result["units"], result["unit"]) == ("video/mp4", 8, "second")
    assert parse_qs(urlsplit(result["url"]).query)["X-Amz-Expires"] == ["3600"]  # about an hour
    assert f"/keys/{key['id']}/operations/{op['id']}/video.mp4" in result["url"]
    assert httpx.get(result["url"]).content == fake_mp4(job.id)
    assert final["credits_used"] == 8 and ops.balance(key) == 2
    (record,) = ops.wait_for_usage(key, 1)
    assert (record["request_id"], record["endpoint"], record["status"]) == (op["id"], "videos.generations", "ok")
    assert (int(record["credits_micro"]), int(record["reserved_micro"])) == (8_000_000, 8_000_000)
    # The kind's own path reads the same operation.
    assert ops.get(key, f"/v1/videos/generations/{op['id']}").json()["status"] == "succeeded"
    assert final["job_id"] == op["id"] and ops.get(key, f"/v1/videos/{op['id']}").json()["job_id"] == op["id"]


def test_a_failed_upstream_job_fails_the_operation_and_refunds_everything(ops, videos) -> None:
    key = ops.key(credits=10)
    videos.book.script = JobScript(polls=2, fail="The video was blocked by moderation")
    op = ops.submit(key, "/v1/videos/generations", SORA)
    final, _ = ops.wait(key, op["id"])
    assert final["status"] == "failed" and final["result"] is None
    assert final["error"]["code"] == "moderation_blocked"
    assert "blocked by moderation" in final["error"]["message"]
    assert final["credits_used"] == 0 and ops.balance(key) == 10
    (record,) = ops.wait_for_usage(key, 1)
    assert (record["status"], int(record["credits_micro"]), record["error_code"]) == ("failed", 0, "moderation_blocked")


def test_an_upstream_refusing_the_job_fails_it_at_once_without_retries(ops, videos) -> None:
    key = ops.key(credits=10)
    videos.book.script = JobScript(reject=400)
    op = ops.submit(key, "/v1/videos/generations", SORA)
    final, _ = ops.wait(key, op["id"], timeout_s=10)
    assert final["status"] == "failed" and final["error"]["code"] == "upstream_rejected_request"
    assert "rejected by the safety system" in final["error"]["message"]
    assert OPENAI_KEY[:12] not in str(final)
    assert ops.balance(key) == 10


def test_a_transient_upstream_error_while_polling_is_retried_and_the_job_still_succeeds(ops, videos) -> None:
    key = ops.key(credits=10)
    videos.book.script = JobScript(polls=2, transient_errors=1)
    op = ops.submit(key, "/v1/videos/generations", SORA | {"seconds": 4})
    final, _ = ops.wait(key, op["id"])
    assert final["status"] == "succeeded" and ops.balance(key) == 6
    assert videos.book.polls == 3 and videos.book.creates == 1  # one failed poll, retried; never resubmitted


def test_cancel_mid_run_stops_the_execution_and_refunds_the_reservation(ops, videos) -> None:
    key = ops.key(credits=10)
    videos.book.script = JobScript(polls=10_000)
    op = ops.submit(key, "/v1/videos/generations", SORA)
    ops.wait(key, op["id"], until=("running",))
    wait_until(lambda: videos.book.polls >= 1, what="a first poll")
    response = ops.post(key, f"/v1/operations/{op['id']}/cancel")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled" and response.json()["credits_used"] == 0
    assert ops.balance(key) == 10
    wait_until(lambda: ops.execution_status(op["id"]) == "ABORTED", what="the execution to stop")
    assert ops.get(key, f"/v1/operations/{op['id']}").json()["status"] == "cancelled"
    (record,) = ops.wait_for_usage(key, 1)
    assert (record["status"], int(record["credits_micro"])) == ("cancelled", 0)
    again = ops.post(key, f"/v1/operations/{op['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "operation_finished"


def test_a_replicate_style_video_model_runs_through_predictions(ops, replicate) -> None:
    key = ops.key(credits=10)
    replicate.book.script = JobScript(polls=2)
    body = {"model": "replicate/acme/clip-maker", "prompt": "a fox", "input": {"fps": 24}}
    op = ops.submit(key, "/v1/videos/generations", body)
    final, _ = ops.wait(key, op["id"])
    assert final["status"] == "succeeded", final
    (job,) = replicate.book.jobs.values()
    assert job.request["model"] == "acme/clip-maker" and job.request["input"] == {"fps": 24, "prompt": "a fox"}
    assert job.headers["authorization"] == f"Bearer {REPLICATE_TOKEN}"
    assert "authorization" not in replicate.file_requests[-1]  # the token never leaves the API's origin
    assert httpx.get(final["result"]["url"]).content == fake_mp4(job.id)
    assert ops.balance(key) == 5  # 5 credits per Replicate-style video


def test_a_pinned_replicate_version_is_created_through_the_versions_endpoint(ops, replicate) -> None:
    key = ops.key(credits=10)
    replicate.book.script = JobScript(polls=1)
    pinned = {"model": "replicate/acme/clip-maker:5c7d5dc6dd8bf75c", "prompt": "x"}
    op = ops.submit(key, "/v1/videos/generations", pinned)
    assert ops.wait(key, op["id"])[0]["status"] == "succeeded"
    (job,) = replicate.book.jobs.values()
    assert job.request["version"] == "5c7d5dc6dd8bf75c" and job.request["model"] is None


@pytest.mark.parametrize("path", ["/v1/videos/generations", "/v1/music/generations"], ids=["video", "music"])
def test_cancelling_a_replicate_job_cancels_the_prediction_upstream(ops, replicate, path: str) -> None:
    key = ops.key(credits=10)
    replicate.book.script = JobScript(polls=10_000)
    op = ops.submit(key, path, {"model": "replicate/acme/slow-maker", "prompt": "slow"})
    ops.wait(key, op["id"], until=("running",))
    assert ops.post(key, f"/v1/operations/{op['id']}/cancel").json()["status"] == "cancelled"
    assert replicate.book.cancels == list(replicate.book.jobs)
    assert ops.balance(key) == 10


def test_another_keys_operation_is_not_found_under_any_path(ops, videos) -> None:
    owner, other = ops.key(credits=10), ops.key(credits=10)
    op = ops.submit(owner, "/v1/videos/generations", SORA | {"seconds": 4})
    for path in (f"/v1/operations/{op['id']}", f"/v1/videos/generations/{op['id']}", f"/v1/videos/{op['id']}",
                 f"/v1/videos/{op['id']}/content"):
        response = ops.get(other, path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "operation_not_found", path
    cancel = ops.post(other, f"/v1/operations/{op['id']}/cancel")
    assert cancel.status_code == 404
    # Under another kind's path, the owner's own operation is not there either.
    assert ops.get(owner, f"/v1/music/generations/{op['id']}").status_code == 404
    assert ops.wait(owner, op["id"])[0]["status"] == "succeeded"  # the other key's cancel changed nothing


@pytest.mark.parametrize(("body", "status", "param"), [
    ({"model": "sora-2"}, 400, "prompt"),
    ({"model": "sora-2", "prompt": "  "}, 400, "prompt"),
    ({"model": "sora-2", "prompt": "x", "seconds": 5}, 400, "seconds"),
    ({"model": "sora-2", "prompt": "x", "size": "big"}, 400, "size"),
    ({"model": "sora-2", "prompt": "x", "input": {"a": 1}}, 400, "input"),
    ({"model": "sora-2", "prompt": "x", "colour": "red"}, 400, "colour"),
    ({"model": "replicate/acme/clip", "prompt": "x", "seconds": 4}, 400, "seconds"),
    ({"model": "replicate/Acme Corp/clip", "prompt": "x"}, 400, "model"),
    ({"model": "gpt-4o", "prompt": "x"}, 404, "model"),
    ({"model": "sora-2", "prompt": "x", "webhook_url": "ftp://example.com/hook"}, 400, "webhook_url"),
    ({"model": "sora-2", "prompt": "x", "webhook_url": "https://user:pw@example.com/"}, 400, "webhook_url"),
], ids=["no-prompt", "blank-prompt", "seconds", "size", "input-for-sora", "unknown-field", "seconds-for-replicate",
        "bad-replicate-name", "chat-model", "webhook-scheme", "webhook-credentials"])
def test_bad_video_requests_are_refused_before_anything_is_reserved(ops, body, status: int, param: str) -> None:
    key = ops.key(credits=10)
    response = ops.post(key, "/v1/videos/generations", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["param"] == param
    assert ops.balance(key) == 10 and ops.usage(key) == []


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]"], ids=["empty", "garbage", "array"])
def test_a_body_that_is_not_a_json_object_is_a_400(ops, raw: bytes) -> None:
    key = ops.key(credits=1)
    response = ops.post(key, "/v1/videos/generations", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"


def test_a_video_the_balance_cannot_cover_is_refused_with_402_and_never_starts(ops, videos) -> None:
    key = ops.key(credits="7.5")
    response = ops.post(key, "/v1/videos/generations", json=SORA)  # 8 seconds × 1 credit
    assert response.status_code == 402 and response.json()["error"]["code"] == "insufficient_credits"
    assert videos.book.creates == 0 and ops.balance(key) == Decimal("7.5")
    (record,) = ops.usage(key)
    assert (record["status"], record["endpoint"]) == ("refused", "videos.generations")
