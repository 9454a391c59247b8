"""Music end to end: ElevenLabs answers synchronously (the submit step stores the track), a
Replicate-style model runs as a prediction; both settle per the catalog, failures refund."""

import httpx

from tests.fakes.jobs import JobScript, fake_mp3
from tests.integration.operations.conftest import ELEVENLABS_KEY


def test_an_elevenlabs_track_is_composed_stored_and_charged_per_second(ops, eleven) -> None:
    key = ops.key(credits=10)
    op = ops.submit(key, "/v1/music/generations",
                    {"model": "music_v1", "prompt": "calm piano", "seconds": 20, "force_instrumental": True})
    assert op["credits_reserved"] == 1  # 20 s × 0.05
    final, _ = ops.wait(key, op["id"])
    assert final["status"] == "succeeded", final
    (call,) = eleven.requests
    assert call["body"] == {"prompt": "calm piano", "music_length_ms": 20_000, "model_id": "music_v1",
                            "force_instrumental": True}
    assert call["query"] == {"output_format": "mp3_44100_128"}
    assert final["result"]["content_type"] == "audio/mpeg" and final["result"]["url"].split("?")[0].endswith(".mp3")
    assert httpx.get(final["result"]["url"]).content == fake_mp3("1:20000")
    assert final["credits_used"] == 1 and ops.balance(key) == 9
    assert ops.get(key, f"/v1/music/generations/{op['id']}").json()["kind"] == "music"


def test_an_elevenlabs_refusal_fails_the_track_and_refunds_it(ops, eleven) -> None:
    key = ops.key(credits=10)
    eleven.fail_status = 422
    op = ops.submit(key, "/v1/music/generations", {"prompt": "anything"})
    final, _ = ops.wait(key, op["id"])
    assert final["status"] == "failed" and final["error"]["code"] == "upstream_rejected_request"
    assert ELEVENLABS_KEY not in str(final)
    assert ops.balance(key) == 10
    (record,) = ops.wait_for_usage(key, 1)
    assert (record["endpoint"], record["status"], int(record["credits_micro"])) == ("music.generations", "failed", 0)


def test_a_replicate_style_music_model_is_charged_per_track(ops, replicate) -> None:
    key = ops.key(credits=10)
    replicate.book.script = JobScript(polls=2)
    op = ops.submit(key, "/v1/music/generations", {"model": "replicate/acme/music-gen", "prompt": "lofi"})
    final, _ = ops.wait(key, op["id"])
    (job,) = replicate.book.jobs.values()
    assert final["status"] == "succeeded" and httpx.get(final["result"]["url"]).content == fake_mp3(job.id)
    assert ops.balance(key) == 8


def test_music_length_outside_the_upstream_range_is_a_400(ops) -> None:
    key = ops.key(credits=100)
    for seconds in (2, 601):
        response = ops.post(key, "/v1/music/generations", json={"prompt": "x", "seconds": seconds})
        assert response.status_code == 400 and response.json()["error"]["param"] == "seconds"
