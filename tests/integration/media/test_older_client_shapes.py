"""The request shapes older clients of this API family send: vision `messages` on /v1/images/analysis,
`cf/` model names, base64 `audio` for transcription with no model, voices by name, and vision on a
model that cannot see answered by one that can."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from tests.fakes.media_samples import mp3, png
from tests.fakes.media_upstreams import TRANSCRIPT
from tests.fakes.openai_upstream import PROMPT_TOKENS

IMAGE = "data:image/png;base64," + base64.b64encode(png(2, 2)).decode()
VISION = [{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                       {"type": "image_url", "image_url": {"url": IMAGE}}]}]


def test_image_analysis_takes_openai_vision_messages_and_answers_a_chat_completion(caller, upstream) -> None:
    response = caller.post("/v1/images/analysis", json={"messages": VISION})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["choices"][0]["message"]["content"] == "ok"
    assert body["model"] == "gpt-4o-mini" and body["usage"]["prompt_tokens"] == PROMPT_TOKENS
    assert upstream.requests[-1].body["messages"] == VISION
    assert response.headers["x-credits-used"] == "0.5" and body["usage"]["cost"] == 0.5
    assert caller.balance() == Decimal("9.5")


@pytest.mark.parametrize(("body", "param"), [
    ({"messages": VISION, "prompt": "x"}, "messages"),
    ({"messages": []}, "messages"),
    ({"messages": [{"role": "wizard", "content": "x"}]}, "messages.0.role"),
    ({"messages": VISION, "fallbacks": [], "model": "llama-3.3-70b-versatile"}, "messages.0.content.1"),
])
def test_bad_vision_messages_are_refused_naming_the_field_and_cost_nothing(caller, upstream, body, param) -> None:
    response = caller.post("/v1/images/analysis", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert upstream.requests == [] and caller.balance() == 10


def test_a_model_that_cannot_see_is_answered_by_the_catalogs_vision_model(caller, upstream) -> None:
    response = caller.post("/v1/chat/completions", json={"model": "local/echo", "messages": VISION,
                                                         "max_tokens": 50})
    assert response.status_code == 200, response.text
    assert response.headers["x-model-used"] == "gpt-4o-mini" and response.headers["x-fallback-from"] == "local/echo"
    assert upstream.requests[-1].body["model"] == "gpt-4o-mini"
    refused = caller.post("/v1/chat/completions", json={"model": "local/echo", "messages": VISION, "fallbacks": []})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "vision_not_supported_by_model"
    analysis = caller.post("/v1/images/analysis", json={"model": "local/echo", "messages": VISION})
    assert analysis.headers["x-fallback-from"] == "local/echo" and analysis.json()["model"] == "gpt-4o-mini"


def test_cf_names_are_the_workers_ai_models(caller, media) -> None:
    response = caller.post("/v1/images/generations", json={"model": "cf/stabilityai/stable-diffusion-xl-base-1.0",
                                                           "prompt": "hills"})
    assert response.status_code == 200, response.text
    assert response.headers["x-model-used"] == "@cf/stabilityai/stable-diffusion-xl-base-1.0"
    assert media.requests[-1].path.endswith("/ai/run/@cf/stabilityai/stable-diffusion-xl-base-1.0")


@pytest.mark.parametrize("field", ["audio", "base64", "file"])
def test_transcription_takes_base64_audio_as_json_with_no_model(caller, media, field: str) -> None:
    response = caller.post("/v1/audio/transcriptions", json={field: base64.b64encode(mp3()).decode()})
    assert response.status_code == 200, response.text
    assert response.json() == {"text": TRANSCRIPT} and response.headers["x-model-used"] == "whisper-1"
    assert media.last("openai").files["file"][0] == ("audio.mp3", "audio/mpeg", mp3())


def test_transcription_audio_given_twice_is_refused_naming_the_second(caller, media) -> None:
    audio = base64.b64encode(mp3()).decode()
    response = caller.post("/v1/audio/transcriptions", json={"audio": audio, "base64": audio})
    assert response.status_code == 400 and response.json()["error"]["param"] == "base64"
    assert media.requests == [] and caller.balance() == 10


@pytest.mark.parametrize(("model", "voice", "sent"), [
    ("eleven_multilingual_v2", "adam", "pNInz6obpgDQGcFmaJgB"),
    ("eleven_multilingual_v2", "Rachel", "21m00Tcm4TlvDq8ikWAM"),
    ("tts-1", "adam", "onyx"),
    ("tts-1", "rachel", "alloy"),
    ("tts-1", "coral", "coral"),
])
def test_speech_voices_by_name_map_to_the_providers_voice(caller, media, model, voice, sent) -> None:
    response = caller.post("/v1/audio/speech", json={"model": model, "input": "hi", "voice": voice})
    assert response.status_code == 200, response.text
    seen = media.requests[-1]
    assert (seen.json or {}).get("voice") == sent or seen.path.endswith("/text-to-speech/" + sent)


@pytest.mark.parametrize("model", ["tts-1", "eleven_multilingual_v2"])
def test_an_unknown_voice_name_is_a_400_listing_the_valid_ones(caller, media, model: str) -> None:
    response = caller.post("/v1/audio/speech", json={"model": model, "input": "hi", "voice": "robot"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == "voice" and error["code"] == "unknown_voice" and "adam" in error["message"]
    assert "alloy" in error["message"] and media.requests == [] and caller.balance() == 10
