"""The native Inference API's media routes (/api/v1/inference/embed, /images, /transcribe): camelCase
in, enveloped answers out, charged exactly as their /v1 twins; bad input is an enveloped 4xx."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from tests.fakes.media_samples import mp3
from tests.fakes.media_upstreams import fake_tokens, vector
from tollway.wire.media_types import sniff_image

API = "/api/v1/inference"


def refused(response, status: int, code: str, mentions: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == code and mentions in body["error"]["message"], body


def test_embed_returns_vectors_in_the_envelope_charged_per_token(caller, media) -> None:
    texts = ["the quick brown fox", "jumps over"]
    response = caller.post(f"{API}/embed", json={"model": "text-embedding-3-small", "input": texts})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["embeddings"] == [vector(t, 8) for t in texts] and data["model"] == "text-embedding-3-small"
    tokens = sum(fake_tokens(t) for t in texts)
    assert data["usage"] == {"inputTokens": tokens}
    assert Decimal(response.headers["x-credits-used"]) == tokens * Decimal("0.00002")
    assert caller.balance() == 10 - tokens * Decimal("0.00002")


def test_images_are_generated_in_the_envelope_at_half_a_credit_each(caller, media) -> None:
    response = caller.post(f"{API}/images", json={"model": "gpt-image-1", "prompt": "a fox", "n": 2,
                                                 "size": "1024x1024", "responseFormat": "b64_json"})
    assert response.status_code == 200, response.text
    images = response.json()["data"]["images"]
    assert len(images) == 2 and all(sniff_image(base64.b64decode(i["b64Json"])) == "png" for i in images)
    assert Decimal(response.headers["x-credits-used"]) == 1 and caller.balance() == 9


def test_transcribe_takes_base64_json_or_a_multipart_file(caller, media) -> None:
    encoded = base64.b64encode(mp3()).decode()
    as_json = caller.post(f"{API}/transcribe", json={"model": "whisper-1", "audio": encoded, "language": "en"})
    assert as_json.status_code == 200, as_json.text
    assert isinstance(as_json.json()["data"]["text"], str) and as_json.json()["data"]["model"] == "whisper-1"
    charged = Decimal(as_json.headers["x-credits-used"])
    assert charged > 0
    as_form = caller.post(f"{API}/transcribe", files={"file": ("talk.mp3", mp3(), "audio/mpeg")},
                          data={"model": "whisper-1"})
    assert as_form.status_code == 200, as_form.text
    assert caller.balance() == 10 - 2 * charged


@pytest.mark.parametrize(("path", "body", "mentions"), [
    ("/embed", {"model": "text-embedding-3-small"}, "input"),
    ("/embed", {"model": "text-embedding-3-small", "input": 5}, "input"),
    ("/embed", {"model": "text-embedding-3-small", "input": "a", "encoding_format": "base64"}, "encoding_format"),
    ("/embed", {"model": "text-embedding-3-small", "input": "a", "providerId": "anthropic"}, "providerId"),
    ("/images", {"model": "gpt-image-1"}, "prompt"),
    ("/images", {"model": "gpt-image-1", "prompt": "x", "n": "2"}, "n"),
    ("/images", {"model": "gpt-image-1", "prompt": "x", "n": 1000}, "n"),
    ("/transcribe", {"model": "whisper-1"}, "audio"),
    ("/transcribe", {"model": "whisper-1", "audio": "%%% not base64"}, "base64"),
    ("/transcribe", {"model": "whisper-1", "audio": 5}, "audio"),
])
def test_bad_media_bodies_are_enveloped_400s_that_cost_nothing(caller, media, path, body, mentions) -> None:
    refused(caller.post(f"{API}{path}", json=body), 400, "BAD_REQUEST", mentions)
    assert caller.balance() == 10 and not media.requests


def test_an_unknown_model_is_an_enveloped_404(caller, media) -> None:
    refused(caller.post(f"{API}/embed", json={"model": "no-such-embedder", "input": "a"}), 404, "NOT_FOUND")
