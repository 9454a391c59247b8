"""`"async": true` on image generations and audio transcriptions: the same call, run as an operation
by the worker — 202 at once, the result fetched from its presigned URL, charged for what was
delivered, refunded when the upstream fails."""

import base64
from decimal import Decimal

import httpx

from tests.fakes.media_upstreams import Knob
from tests.fakes.media_samples import wav

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_an_async_image_generation_becomes_an_operation_charged_per_image(ops, openai_media) -> None:
    key = ops.key(credits=5)
    op = ops.submit(key, "/v1/images/generations", {"prompt": "a red fox", "n": 2, "size": "256x256", "async": True})
    assert (op["kind"], op["model"], op["credits_reserved"]) == ("image", "gpt-image-1", 1)
    done, _ = ops.wait(key, op["id"])
    assert done["status"] == "succeeded", done
    assert Decimal(str(done["credits_used"])) == 1 and ops.balance(key) == 4
    result = httpx.get(done["result"]["url"]).json()
    assert len(result["data"]) == 2
    assert all(base64.b64decode(item["b64_json"]).startswith(PNG_MAGIC) for item in result["data"])
    sent = openai_media.last("openai").json
    assert sent["prompt"] == "a red fox" and sent["n"] == 2 and "async" not in sent and "webhook_url" not in sent
    (record,) = ops.wait_for_usage(key, 1)
    assert (record["endpoint"], record["status"], int(record["credits_micro"])) == ("images.generations", "ok",
                                                                                   1_000_000)


def test_fewer_images_than_asked_are_charged_as_delivered(ops, openai_media) -> None:
    key = ops.key(credits=5)
    openai_media.script(Knob(images=1))
    op = ops.submit(key, "/v1/images/generations", {"prompt": "x", "n": 3, "async": True})
    done, _ = ops.wait(key, op["id"])
    assert done["status"] == "succeeded" and Decimal(str(done["credits_used"])) == Decimal("0.5")
    assert ops.balance(key) == Decimal("4.5")


def test_an_async_image_refused_upstream_fails_and_is_refunded(ops, openai_media) -> None:
    key = ops.key(credits=5)
    openai_media.script(Knob(status=400, error_message="prompt rejected by the safety system"))
    op = ops.submit(key, "/v1/images/generations", {"prompt": "x", "async": True})
    done, _ = ops.wait(key, op["id"])
    assert done["status"] == "failed" and "safety" in done["error"]["message"]
    assert ops.balance(key) == 5


def test_an_async_transcription_keeps_the_transcript(ops, openai_media) -> None:
    key = ops.key(credits=5)
    response = ops.post(key, "/v1/audio/transcriptions", data={"model": "whisper-1", "response_format": "text",
                                                                "async": "true"},
                        files={"file": ("talk.wav", wav(), "audio/wav")})
    assert response.status_code == 202, response.text
    op = response.json()
    assert op["kind"] == "transcription" and op["filename"] == "talk.wav"
    done, _ = ops.wait(key, op["id"])
    assert done["status"] == "succeeded", done
    transcript = httpx.get(done["result"]["url"])
    assert transcript.headers["content-type"].startswith("text/plain") and transcript.text.strip()
    assert Decimal(str(done["credits_used"])) == Decimal("0.5") and ops.balance(key) == Decimal("4.5")
    assert openai_media.last("openai").path == "/v1/audio/transcriptions"


def test_bad_async_requests_are_refused_before_any_operation(ops) -> None:
    key = ops.key(credits=5)
    too_many = ops.post(key, "/v1/images/generations", json={"prompt": "x", "n": 9, "async": True})
    assert too_many.status_code == 400 and too_many.json()["error"]["param"] == "n"
    unknown = ops.post(key, "/v1/images/generations", json={"prompt": "x", "model": "nope-image", "async": True})
    assert unknown.status_code == 404
    no_audio = ops.post(key, "/v1/audio/transcriptions", data={"model": "whisper-1", "async": "true"},
                        files={"file": ("empty.wav", b"", "audio/wav")})
    assert no_audio.status_code == 400
    bad_hook = ops.post(key, "/v1/images/generations", json={"prompt": "x", "async": True, "webhook_url": "ftp://x"})
    assert bad_hook.status_code == 400 and bad_hook.json()["error"]["param"] == "webhook_url"
    assert ops.balance(key) == 5 and ops.usage(key) == []
