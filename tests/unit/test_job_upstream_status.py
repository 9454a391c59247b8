"""What the job upstreams' answers mean: OpenAI video objects and Replicate predictions → JobStatus."""

from typing import Any

import pytest

from tollway.errors import InvalidRequest, UpstreamError
from tollway.providers import openai_videos, replicate


@pytest.mark.parametrize(("video", "state", "progress", "output", "units"), [
    ({"id": "v1", "status": "queued", "progress": 0}, "running", 0, None, None),
    ({"id": "v1", "status": "in_progress", "progress": 42.0}, "running", 42, None, None),
    ({"id": "v1", "status": "completed", "progress": 100, "seconds": "8"}, "succeeded", 100, {"video_id": "v1"}, 8),
    ({"id": "v1", "status": "failed", "error": {"code": "moderation_blocked", "message": "no"}}, "failed", None,
     None, None),
])
def test_openai_video_objects(video: dict[str, Any], state: str, progress: int | None, output: Any,
                              units: int | None) -> None:
    status = openai_videos._status(video)
    assert (status.state, status.upstream_id, status.progress, status.output, status.units) == (
        state, "v1", progress, output, units)
    if state == "failed":
        assert (status.code, status.message) == ("moderation_blocked", "openai: no")


@pytest.mark.parametrize("video", [{"status": "queued"}, {"id": "v", "status": "exploded"}, [], None])
def test_an_openai_answer_that_is_not_a_video_is_an_upstream_error(video: Any) -> None:
    with pytest.raises(UpstreamError):
        openai_videos._status(video)


@pytest.mark.parametrize(("prediction", "state", "output", "code"), [
    ({"id": "p", "status": "starting"}, "running", None, None),
    ({"id": "p", "status": "processing"}, "running", None, None),
    ({"id": "p", "status": "succeeded", "output": "https://cdn.example/a.mp4"}, "succeeded",
     {"url": "https://cdn.example/a.mp4"}, None),
    ({"id": "p", "status": "succeeded", "output": ["https://cdn.example/1.mp3", "https://cdn.example/2.mp3"]},
     "succeeded", {"url": "https://cdn.example/1.mp3"}, None),
    ({"id": "p", "status": "succeeded", "output": {"video": "https://cdn.example/v.mp4", "seed": 3}}, "succeeded",
     {"url": "https://cdn.example/v.mp4"}, None),
    ({"id": "p", "status": "succeeded", "output": "just text"}, "failed", None, "no_output"),
    ({"id": "p", "status": "failed", "error": "CUDA out of memory"}, "failed", None, "upstream_failed"),
    ({"id": "p", "status": "canceled"}, "failed", None, "upstream_canceled"),
], ids=["starting", "processing", "one-url", "list", "dict", "no-file", "failed", "canceled"])
def test_replicate_predictions(prediction: dict[str, Any], state: str, output: Any, code: str | None) -> None:
    status = replicate._status(prediction)
    assert (status.state, status.output, status.code) == (state, output, code)


def test_a_replicate_failure_message_never_carries_a_credential() -> None:
    status = replicate._status({"id": "p", "status": "failed", "error": "auth with sk-abcdefghijklmnop failed"})
    assert "sk-abc" not in (status.message or "") and "[redacted]" in (status.message or "")


@pytest.mark.parametrize(("model", "parts"), [
    ("replicate/acme/clip-maker", ("acme", "clip-maker", None)),
    ("replicate/acme/v2.1_model:5c7d5dc6dd8bf75c", ("acme", "v2.1_model", "5c7d5dc6dd8bf75c")),
])
def test_replicate_model_names(model: str, parts: tuple[str, str, str | None]) -> None:
    assert replicate.model_path(model) == parts


@pytest.mark.parametrize("model", ["replicate/acme", "replicate/Acme/clip", "replicate/acme/clip:xyz",
                                   "replicate/a/b/c", "replicate//clip"])
def test_malformed_replicate_model_names_are_a_400_on_model(model: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        replicate.model_path(model)
    assert refused.value.param == "model"
