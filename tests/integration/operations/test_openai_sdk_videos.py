"""The real `openai` SDK against the gateway's OpenAI-compatible videos API, unchanged user code:
create → poll → download_content, on the same operations as /v1/videos/generations."""

import openai
import pytest
from openai import OpenAI

from tests.fakes.jobs import JobScript, fake_mp4


def sdk(ops, key) -> OpenAI:
    return OpenAI(base_url=ops.url + "/v1", api_key=key["key"], max_retries=0, timeout=15)


def test_the_sdk_creates_polls_and_downloads_a_video(ops, videos) -> None:
    key = ops.key(credits=10)
    videos.book.script = JobScript(polls=2)
    client = sdk(ops, key)
    video = client.videos.create(model="sora-2", prompt="a lighthouse at dusk", seconds="4", size="720x1280")
    assert (video.object, video.status, video.model, video.seconds) == ("video", "queued", "sora-2", "4")
    done = client.videos.poll(video.id)  # paced by the openai-poll-after-ms header
    assert done.status == "completed" and done.progress == 100 and done.completed_at
    content = client.videos.download_content(video.id)
    (job,) = videos.book.jobs.values()
    assert content.read() == fake_mp4(job.id)
    assert ops.get(key, f"/v1/operations/{video.id}").json()["status"] == "succeeded"
    assert ops.balance(key) == 6


def test_the_sdk_sees_a_failed_video_as_failed_with_its_error(ops, videos) -> None:
    key = ops.key(credits=10)
    videos.book.script = JobScript(polls=1, fail="blocked")
    client = sdk(ops, key)
    done = client.videos.poll(client.videos.create(model="sora-2", prompt="x").id)
    assert done.status == "failed" and done.error is not None and done.error.code == "moderation_blocked"
    with pytest.raises(openai.ConflictError):
        client.videos.download_content(done.id)
    assert ops.balance(key) == 10


def test_the_sdk_gets_openai_shaped_errors(ops) -> None:
    client = sdk(ops, ops.key(credits=1))
    with pytest.raises(openai.BadRequestError) as refused:
        client.videos.create(model="sora-2", prompt="x", seconds="5")  # type: ignore[arg-type]
    assert refused.value.body["param"] == "seconds"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve("op_0123456789abcdef01234567")
