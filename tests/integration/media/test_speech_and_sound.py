"""Speech (OpenAI, ElevenLabs) and sound effects (ElevenLabs): audio bytes streamed through with the
right content type, 1.0 credit a request, refunded when the upstream fails."""

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.fakes.media_upstreams import KEYS, Knob, mp3_chunks
from tollway.providers.elevenlabs import RACHEL, VOICES

AUDIO = b"".join(mp3_chunks())


def wait_for_usage(caller, count: int = 1) -> list[dict]:
    return caller.admin.wait_for_usage(caller.id, count)


def test_openai_speech_streams_mp3_with_the_gateway_headers(caller, media) -> None:
    with caller.http.stream("POST", "/v1/audio/speech", json={"model": "tts-1", "input": "Hello there"}) as response:
        assert response.status_code == 200
        chunks = list(response.iter_raw())
        headers = response.headers
    assert b"".join(chunks) == AUDIO
    assert headers["content-type"] == "audio/mpeg" and headers["x-model-used"] == "tts-1"
    assert headers["x-credits-reserved"] == "1" and "x-ratelimit-remaining-requests" in headers
    assert media.last("openai").json == {"model": "tts-1", "input": "Hello there", "voice": "alloy",
                                         "response_format": "mp3"}
    (record,) = wait_for_usage(caller)
    assert (record["endpoint"], record["status"], record["credits_micro"]) == ("audio.speech", "ok", 1_000_000)
    assert caller.balance() == 9


def test_speech_reaches_the_client_before_the_upstream_has_finished(caller, media) -> None:
    media.script(Knob(chunk_delay_s=0.3))
    arrivals = []
    with caller.http.stream("POST", "/v1/audio/speech", json={"model": "tts-1", "input": "slow"}) as response:
        for _ in response.iter_raw():
            arrivals.append(time.monotonic())
    assert len(arrivals) >= 2 and arrivals[-1] - arrivals[0] > 0.5  # chunks came as produced, not at once


@pytest.mark.parametrize(("response_format", "content_type"), [("wav", "audio/wav"), ("flac", "audio/flac"),
                                                               ("opus", "audio/ogg")])
def test_other_speech_formats_keep_the_upstream_content_type(caller, media, response_format: str,
                                                              content_type: str) -> None:
    response = caller.post("/v1/audio/speech", json={"model": "gpt-4o-mini-tts", "input": "x", "voice": "coral",
                                                     "response_format": response_format, "speed": 1.5,
                                                     "instructions": "cheerful"})
    assert response.status_code == 200 and response.headers["content-type"] == content_type
    assert media.last("openai").json["speed"] == 1.5 and media.last("openai").json["instructions"] == "cheerful"


@pytest.mark.parametrize(("voice", "voice_id"), [("alloy", VOICES["alloy"]), ("onyx", VOICES["onyx"]),
                                                 ("coral", RACHEL), ("pqHfZKP75CvOlQylNhV4", "pqHfZKP75CvOlQylNhV4")])
def test_elevenlabs_speech_maps_openai_voices_and_takes_its_own(caller, media, voice: str, voice_id: str) -> None:
    response = caller.post("/v1/audio/speech", json={"model": "eleven_multilingual_v2", "input": "Bonjour",
                                                     "voice": voice})
    assert response.status_code == 200, response.text
    assert response.content == AUDIO and response.headers["content-type"] == "audio/mpeg"
    seen = media.last("elevenlabs")
    assert seen.path == f"/elevenlabs/v1/text-to-speech/{voice_id}"
    assert seen.query == {"output_format": "mp3_44100_128"} and seen.headers["xi-api-key"] == KEYS["elevenlabs"]
    assert seen.json == {"text": "Bonjour", "model_id": "eleven_multilingual_v2"}


def test_elevenlabs_refuses_a_format_it_cannot_produce_and_refunds(caller, media) -> None:
    response = caller.post("/v1/audio/speech", json={"model": "eleven_turbo_v2_5", "input": "x",
                                                     "response_format": "aac"})
    assert response.status_code == 400 and response.json()["error"]["param"] == "response_format"
    assert caller.balance() == 10 and media.requests == []


def test_url_format_stores_the_audio_and_answers_a_presigned_link(caller, media) -> None:
    response = caller.post("/v1/audio/speech", json={"model": "tts-1", "input": "keep me", "response_format": "url"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "media" and body["content_type"] == "audio/mpeg" and body["bytes"] == len(AUDIO)
    assert f"/keys/{caller.id}/media/" in body["url"]
    assert parse_qs(urlsplit(body["url"]).query)["X-Amz-Expires"] == ["3600"]
    assert httpx.get(body["url"]).content == AUDIO
    assert media.last("openai").json["response_format"] == "mp3"
    assert response.headers["x-credits-used"] == "1"


@pytest.mark.parametrize(("body", "param"), [
    ({"model": "tts-1", "input": ""}, "input"), ({"model": "tts-1", "input": "x" * 4097}, "input"),
    ({"model": "tts-1", "input": "x", "response_format": "ogg"}, "response_format"),
    ({"model": "tts-1", "input": "x", "speed": 5}, "speed"), ({"model": "", "input": "x"}, "model"),
], ids=["empty", "too-long", "format", "speed", "empty-model"])
def test_bad_speech_requests_are_a_400(caller, body, param: str) -> None:
    response = caller.post("/v1/audio/speech", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param
    assert caller.balance() == 10


@pytest.mark.parametrize("model", ["tts-1", "eleven_multilingual_v2"])
def test_an_upstream_failing_before_any_audio_refunds(caller, media, model: str) -> None:
    media.script(Knob(status=500, error_message=f"bad {KEYS['elevenlabs']}"))
    response = caller.post("/v1/audio/speech", json={"model": model, "input": "x"})
    assert response.status_code == 502 and response.headers["x-credits-used"] == "0"
    assert KEYS["elevenlabs"] not in response.text
    assert caller.balance() == 10 and wait_for_usage(caller)[0]["status"] == "upstream_error"


def test_a_stream_the_upstream_breaks_is_aborted_and_refunded(caller, media) -> None:
    media.script(Knob(fail_after_chunks=2))
    received = b""
    with pytest.raises(httpx.HTTPError):  # the client must see broken audio as an error, not a short file
        with caller.http.stream("POST", "/v1/audio/speech", json={"model": "tts-1", "input": "x"}) as response:
            assert response.status_code == 200
            for chunk in response.iter_raw():
                received += chunk
    assert 0 < len(received) < len(AUDIO)
    (record,) = wait_for_usage(caller)
    assert (record["status"], record["credits_micro"]) == ("upstream_error", 0)
    assert caller.balance() == 10


def test_a_client_leaving_after_audio_arrived_pays_and_before_pays_nothing(caller, media) -> None:
    media.script(Knob(chunk_delay_s=0.3))
    with caller.http.stream("POST", "/v1/audio/speech", json={"model": "tts-1", "input": "x"}) as response:
        next(response.iter_raw())  # leave after the first chunk
    (record,) = wait_for_usage(caller)
    assert (record["status"], record["credits_micro"]) == ("client_disconnected", 1_000_000)

    media.script(Knob(delay_s=1.5))
    with pytest.raises(httpx.ReadTimeout):
        caller.post("/v1/audio/speech", json={"model": "tts-1", "input": "x"}, timeout=0.3)
    records = wait_for_usage(caller, 2)
    assert len(records) == 2 and {(r["status"], r["credits_micro"]) for r in records} == {
        ("client_disconnected", 1_000_000), ("client_disconnected", 0)}
    assert caller.balance() == 9


def test_sound_effects_come_from_elevenlabs_sound_generation(caller, media) -> None:
    response = caller.post("/v1/audio/generation", json={"prompt": "rain on a tin roof", "duration_seconds": 4.5,
                                                         "prompt_influence": 0.4})
    assert response.status_code == 200, response.text
    assert response.content == AUDIO and response.headers["content-type"] == "audio/mpeg"
    seen = media.last("elevenlabs")
    assert seen.path == "/elevenlabs/v1/sound-generation" and seen.query == {"output_format": "mp3_44100_128"}
    assert seen.json == {"text": "rain on a tin roof", "model_id": "eleven_text_to_sound_v2",
                         "duration_seconds": 4.5, "prompt_influence": 0.4}
    (record,) = wait_for_usage(caller)
    assert (record["endpoint"], record["credits_micro"]) == ("audio.generation", 1_000_000)
    linked = caller.post("/v1/audio/generation", json={"prompt": "thunder", "response_format": "url"})
    assert linked.status_code == 200 and httpx.get(linked.json()["url"]).content == AUDIO


@pytest.mark.parametrize(("body", "param"), [({"prompt": "x", "duration_seconds": 0.1}, "duration_seconds"),
                                             ({"prompt": "x", "duration_seconds": 31}, "duration_seconds"),
                                             ({"prompt": ""}, "prompt"), ({"prompt": "x", "volume": 3}, "volume")])
def test_bad_sound_requests_are_a_400(caller, body, param: str) -> None:
    response = caller.post("/v1/audio/generation", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param


def test_sound_generation_failing_refunds(caller, media) -> None:
    media.script(Knob(status=422, error_message="duration too long for this prompt"))
    response = caller.post("/v1/audio/generation", json={"prompt": "x"})
    assert response.status_code == 400 and "duration too long" in response.json()["error"]["message"]
    assert caller.balance() == 10

