"""Client text never steers a request to another path of a provider's API (issue 10, item 4).

Each attack was reproduced against the gateway with the operator's key: a model name or a voice
with dot segments reached Gemini's cachedContents, ElevenLabs' voice creation and a Cloudflare zone
purge. The fake records every path it receives, routed or not, so a request that went astray shows.
"""

from __future__ import annotations

import pytest

from tests.fakes.media_upstreams import CF_ACCOUNT


def _refused(response, param: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param), error


@pytest.mark.parametrize("model", [
    "gemini-embedding-x/../../v1beta/cachedContents?",
    "gemini-embedding-x/../../../v1beta/cachedContents?",
    "gemini-embedding-x/%2e%2e/%2e%2e/v1beta/cachedContents",
    "gemini-embedding-x%2F..%2F..%2Fv1beta%2FcachedContents",
    "gemini-embedding-x:batchEmbedContents#",
])
def test_a_model_name_with_dot_segments_cannot_reach_another_gemini_path(caller, media, model: str) -> None:
    response = caller.post("/v1/embeddings", json={"model": model, "input": "hello"})
    _refused(response, "model")
    assert media.requests == []  # nothing at all reached Gemini
    assert caller.balance() == 10


@pytest.mark.parametrize("voice", [
    "../../v1/voices/add?x=",
    "../../../v1/voices/add",
    "%2e%2e/%2e%2e/v1/voices/add",
    "..",
    "abc/def",
    "abc?x=1",
    "abc#frag",
])
def test_an_elevenlabs_voice_with_dot_segments_cannot_reach_another_elevenlabs_path(caller, media,
                                                                                  voice: str) -> None:
    response = caller.post("/v1/audio/speech", json={"model": "eleven_multilingual_v2", "input": "hi", "voice": voice})
    _refused(response, "voice")
    assert media.requests == []
    assert caller.balance() == 10


@pytest.mark.parametrize("model", [
    "@cf/../../../../zones/ZONE/purge_cache",
    "@cf/../../../../../zones/ZONE/purge_cache",
    "@cf/%2e%2e/%2e%2e/%2e%2e/zones/ZONE/purge_cache",
    "@cf/stabilityai/../../../../zones/ZONE/purge_cache",
    "@cf/a/b?x=/../../../zones",
])
def test_a_workers_ai_model_with_dot_segments_cannot_reach_a_zone_purge(caller, media, model: str) -> None:
    response = caller.post("/v1/images/generations", json={"model": model, "prompt": "a lighthouse"})
    _refused(response, "model")
    assert media.requests == []
    assert caller.balance() == 10


def test_a_namespaced_workers_ai_model_still_reaches_its_run_path(caller, media) -> None:
    response = caller.post("/v1/images/generations",
                           json={"model": "@cf/bytedance/stable-diffusion-xl-lightning", "prompt": "a lighthouse"})
    assert response.status_code == 200, response.text
    (seen,) = media.requests
    assert seen.path == f"/cf/client/v4/accounts/{CF_ACCOUNT}/ai/run/@cf/bytedance/stable-diffusion-xl-lightning"


def test_an_elevenlabs_voice_id_still_reaches_its_speech_path(caller, media) -> None:
    response = caller.post("/v1/audio/speech",
                           json={"model": "eleven_multilingual_v2", "input": "hi", "voice": "pNInz6obpgDQGcFmaJgB"})
    assert response.status_code == 200, response.text
    assert [seen.path for seen in media.requests] == ["/elevenlabs/v1/text-to-speech/pNInz6obpgDQGcFmaJgB"]
