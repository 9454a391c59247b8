"""Transcriptions and translations: a multipart file or base64 JSON, every response_format, OpenAI and
Groq Whisper, 0.5 credits a request; bad audio is refused before anything is reserved."""

import base64

import pytest

from tests.fakes.media_samples import flac, mp3, png, wav
from tests.fakes.media_upstreams import KEYS, TRANSCRIPT, Knob


@pytest.mark.parametrize(("response_format", "content_type", "expected"), [
    ("json", "application/json", {"text": TRANSCRIPT}),
    ("text", "text/plain; charset=utf-8", TRANSCRIPT),
    ("srt", "text/plain; charset=utf-8", f"1\n00:00:00,000 --> 00:00:01,500\n{TRANSCRIPT}\n"),
    ("vtt", "text/plain; charset=utf-8", f"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n{TRANSCRIPT}\n"),
    ("verbose_json", "application/json", None),
])
def test_every_response_format_comes_back_as_the_upstream_wrote_it(caller, media, response_format: str,
                                                                   content_type: str, expected) -> None:
    response = caller.post("/v1/audio/transcriptions", files={"file": ("talk.mp3", mp3(), "audio/mpeg")},
                           data={"model": "whisper-1", "response_format": response_format, "language": "en"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == content_type
    if response_format == "verbose_json":
        assert response.json()["text"] == TRANSCRIPT and response.json()["segments"]
    else:
        assert (response.json() if content_type == "application/json" else response.text) == expected
    seen = media.last("openai")
    assert seen.files["file"][0] == ("talk.mp3", "audio/mpeg", mp3())
    assert seen.fields["model"] == ["whisper-1"] and seen.fields["language"] == ["en"]
    assert response.headers["x-credits-used"] == "0.5" and caller.balance() == 9.5


def test_json_with_base64_audio_works_and_names_the_file_by_its_format(caller, media) -> None:
    encoded = "data:audio/wav;base64," + base64.b64encode(wav()).decode()
    response = caller.post("/v1/audio/transcriptions", json={"model": "whisper-1", "file": encoded,
                                                             "prompt": "names: Ada", "temperature": 0.2,
                                                             "timestamp_granularities": ["word", "segment"]})
    assert response.status_code == 200, response.text
    seen = media.last("openai")
    assert seen.files["file"][0] == ("audio.wav", "audio/wav", wav())
    assert seen.fields["prompt"] == ["names: Ada"] and seen.fields["temperature"] == ["0.2"]
    assert seen.fields["timestamp_granularities[]"] == ["word", "segment"]


def test_multipart_timestamp_granularities_as_the_sdk_sends_them(caller, media) -> None:
    response = caller.post("/v1/audio/transcriptions", files={"file": ("a.flac", flac(), "audio/flac")},
                           data={"model": "whisper-1", "timestamp_granularities[]": ["word"],
                                 "response_format": "verbose_json"})
    assert response.status_code == 200, response.text
    assert media.last("openai").fields["timestamp_granularities[]"] == ["word"]


def test_groq_whisper_and_translations(caller, media) -> None:
    response = caller.post("/v1/audio/transcriptions", files={"file": ("a.mp3", mp3(), "audio/mpeg")},
                           data={"model": "whisper-large-v3"})
    assert response.status_code == 200 and response.json() == {"text": TRANSCRIPT}
    seen = media.last("groq")
    assert seen.path == "/groq/openai/v1/audio/transcriptions"
    assert seen.headers["authorization"] == f"Bearer {KEYS['groq']}"
    translated = caller.post("/v1/audio/translations", files={"file": ("a.mp3", mp3(), "audio/mpeg")},
                             data={"model": "whisper-1", "response_format": "text"})
    assert translated.status_code == 200 and translated.text == "translated " + TRANSCRIPT
    assert media.last("openai").path == "/v1/audio/translations"
    assert [r["endpoint"] for r in caller.usage()] == ["audio.transcriptions", "audio.translations"]
    assert caller.balance() == 9


def test_models_that_cannot_translate_are_refused_by_name(caller, media) -> None:
    response = caller.post("/v1/audio/translations", files={"file": ("a.mp3", mp3(), "audio/mpeg")},
                           data={"model": "gpt-4o-transcribe"})
    assert response.status_code == 400 and "does not support audio translation" in response.json()["error"]["message"]
    assert media.requests == []


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"files": {"file": ("a.mp3", b"", "audio/mpeg")}}, 400, "empty_file"),
    ({"files": {"file": ("a.mp3", b"this is not audio", "audio/mpeg")}}, 400, "invalid_audio"),
    ({"files": {"file": ("a.png", png(), "image/png")}}, 415, "unsupported_audio_format"),
    ({"files": {"file": ("a.aiff", b"FORM\x00\x00\x00\x04AIFF", "audio/aiff")}}, 415, "unsupported_audio_format"),
    ({"files": {"file": ("a.amr", b"\x00\x01garbage", "audio/amr")}}, 415, "unsupported_audio_format"),
    ({"files": {"other": ("a.mp3", mp3(), "audio/mpeg")}}, 400, "missing_file"),
    ({"json_file": "%%% not base64 %%%"}, 400, "invalid_base64"),
    ({"json_file": base64.b64encode(png()).decode()}, 415, "unsupported_audio_format"),
    ({"json_file": ""}, 400, "invalid_value"),
    ({"content": b"raw bytes", "headers": {"content-type": "audio/mpeg"}}, 415, "unsupported_content_type"),
], ids=["empty", "corrupt", "png", "aiff", "amr", "no-file", "bad-base64", "base64-png", "empty-base64", "raw-body"])
def test_bad_audio_is_a_clear_4xx_and_reserves_nothing(caller, media, kwargs: dict, status: int, code: str) -> None:
    if "json_file" in kwargs:
        kwargs = {"json": {"model": "whisper-1", "file": kwargs["json_file"]}}
    elif "files" in kwargs:
        kwargs = kwargs | {"data": {"model": "whisper-1"}}
    response = caller.post("/v1/audio/transcriptions", **kwargs)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert caller.usage() == [] and media.requests == []


@pytest.mark.parametrize(("fields", "param"), [({"response_format": "docx"}, "response_format"),
                                               ({"language": "english please"}, "language"),
                                               ({"temperature": "2"}, "temperature")])
def test_bad_transcription_parameters_are_a_400(caller, fields: dict, param: str) -> None:
    response = caller.post("/v1/audio/transcriptions", files={"file": ("a.mp3", mp3(), "audio/mpeg")},
                           data={"model": "whisper-1", **fields})
    assert response.status_code == 400 and response.json()["error"]["param"] == param


@pytest.mark.parametrize("path", ["/v1/audio/transcriptions", "/v1/audio/translations"])
def test_a_failed_transcription_refunds(caller, media, path: str) -> None:
    media.script(Knob(status=500))
    response = caller.post(path, files={"file": ("a.mp3", mp3(), "audio/mpeg")}, data={"model": "whisper-1"})
    assert response.status_code == 502 and response.headers["x-credits-used"] == "0"
    assert caller.balance() == 10 and caller.usage()[0]["status"] == "upstream_error"
