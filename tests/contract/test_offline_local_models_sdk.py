"""The offline `local/*` models through the real openai SDK, against a `tollway serve` with no
provider credentials at all: every kind answers real media in the real shapes, deterministically."""

from __future__ import annotations

import base64
import io
import math
import struct
import time
import wave
import zlib
from collections.abc import Iterator
from decimal import Decimal

import httpx
import openai
import pytest
from openai import OpenAI

from tests.conftest import bearer
from tests.fakes.media_samples import mp3
from tests.served import ServedGateway

LOCAL_KINDS = {"local/echo", "local/embedding", "local/image", "local/speech", "local/sound", "local/transcription",
               "local/rerank", "local/moderation"}


@pytest.fixture(scope="module")
def offline() -> Iterator[ServedGateway]:
    with ServedGateway(env={"TOLLWAY_ADMIN_KEY": "tw-admin-offline"}) as served:
        yield served


@pytest.fixture()
def key(offline: ServedGateway) -> dict:
    return offline.create_key(credits=5)


@pytest.fixture()
def sdk(offline: ServedGateway, key: dict) -> OpenAI:
    return OpenAI(base_url=offline.url + "/v1", api_key=key["key"], max_retries=0)


def _png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Decode the PNG enough to prove it is one: chunks, CRCs, IHDR and the inflated scanlines."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    offset, idat, size = 8, b"", (0, 0)
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        assert struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    return size[0], size[1], zlib.decompress(idat)


def test_every_local_kind_is_listed_with_its_price_when_no_provider_is_configured(offline, key) -> None:
    models = httpx.get(offline.url + "/v1/models", headers=bearer(key)).json()["data"]
    assert LOCAL_KINDS <= {m["id"] for m in models}
    assert all(m["id"].startswith(("local/", "auto")) for m in models)


def test_local_embeddings_are_deterministic_unit_vectors_that_track_similarity(sdk) -> None:
    first = sdk.embeddings.create(model="local/embedding", input=["a red fox", "the red fox", "tax law"])
    again = sdk.embeddings.create(model="local/embedding", input="a red fox", encoding_format="float")
    fox, red_fox, tax = (d.embedding for d in first.data)
    assert fox == pytest.approx(again.data[0].embedding, abs=1e-6)  # base64 by default, floats on request
    assert len(fox) == 256 and math.isclose(math.fsum(v * v for v in fox), 1.0, rel_tol=1e-5)
    cosine = lambda a, b: sum(x * y for x, y in zip(a, b, strict=True))  # noqa: E731
    assert cosine(fox, red_fox) > cosine(fox, tax) + 0.3
    short = sdk.embeddings.create(model="local/embedding", input="a red fox", dimensions=16)
    assert len(short.data[0].embedding) == 16 and first.usage.prompt_tokens > 0
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.embeddings.create(model="local/embedding", input="x", dimensions=257)
    assert refused.value.body["param"] == "dimensions"


def test_local_images_are_real_pngs_of_the_asked_size_the_same_for_the_same_prompt(sdk, offline) -> None:
    drawn = sdk.images.generate(model="local/image", prompt="a lighthouse", size="64x48", n=2)
    width, height, pixels = _png_pixels(base64.b64decode(drawn.data[0].b64_json))
    assert (width, height) == (64, 48) and len(pixels) == 48 * (1 + 64 * 3)
    again = sdk.images.generate(model="local/image", prompt="a lighthouse", size="64x48")
    assert again.data[0].b64_json == drawn.data[0].b64_json != drawn.data[1].b64_json
    linked = sdk.images.generate(prompt="a lighthouse", size="32x32", response_format="url")  # no model: the default
    assert _png_pixels(httpx.get(linked.data[0].url).content)[:2] == (32, 32)


def test_local_speech_is_a_wav_as_long_as_the_text(sdk) -> None:
    short = sdk.audio.speech.create(model="local/speech", voice="alloy", input="Hello")
    long = sdk.audio.speech.create(model="local/speech", voice="alloy", input="Hello there, how are you today?",
                                   response_format="wav")
    durations = []
    for audio in (short, long):
        assert audio.response.headers["content-type"] == "audio/wav"
        with wave.open(io.BytesIO(audio.content)) as read:
            assert (read.getnchannels(), read.getsampwidth(), read.getframerate()) == (1, 2, 24_000)
            durations.append(read.getnframes() / read.getframerate())
    assert durations[0] == pytest.approx(0.3) and durations[1] == pytest.approx(1.86)
    assert any(long.content[100:])  # tones, not silence
    raw = sdk.audio.speech.create(model="local/speech", voice="alloy", input="Hello", response_format="pcm")
    assert raw.response.headers["content-type"] == "audio/pcm" and len(raw.content) == 0.3 * 24_000 * 2


def test_local_transcription_tells_the_wav_duration_and_says_it_recognises_nothing(sdk) -> None:
    spoken = sdk.audio.speech.create(model="local/speech", voice="alloy", input="Hello world").content
    verbose = sdk.audio.transcriptions.create(model="local/transcription", file=("hello.wav", spoken, "audio/wav"),
                                              response_format="verbose_json")
    assert verbose.duration == pytest.approx(0.66) and "no speech recognition" in verbose.text
    assert verbose.segments[0].end == pytest.approx(0.66)
    srt = sdk.audio.transcriptions.create(model="local/transcription", file=("hello.wav", spoken, "audio/wav"),
                                          response_format="srt")
    assert "00:00:00,000 --> 00:00:00,660" in srt
    translated = sdk.audio.translations.create(model="local/transcription", file=("talk.mp3", mp3(), "audio/mpeg"))
    assert "no speech recognition" in translated.text


def test_local_moderation_flags_the_keyword_categories_for_free(sdk) -> None:
    raw = sdk.moderations.with_raw_response.create(input=["have a nice day", "I will kill you"])
    results = raw.parse().results
    assert [r.flagged for r in results] == [False, True]
    assert results[1].categories.violence and results[1].categories.harassment_threatening
    assert not results[1].categories.sexual and raw.headers["x-model-used"] == "local/moderation"
    assert raw.headers["x-credits-used"] == "0"


def test_a_request_naming_no_model_gets_the_offline_default(offline, key) -> None:
    spoken = base64.b64encode(httpx.post(offline.url + "/v1/audio/speech", headers=bearer(key), json={
        "model": "local/speech", "input": "Hello world"}).content).decode()
    for field in ("file", "audio", "base64"):
        answer = httpx.post(offline.url + "/v1/audio/transcriptions", headers=bearer(key),
                            json={field: spoken, "response_format": "verbose_json"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-model-used"] == "local/transcription" and answer.json()["duration"] == 0.66
    moderated = httpx.post(offline.url + "/v1/moderations", headers=bearer(key), json={"input": "fine"})
    assert moderated.headers["x-model-used"] == "local/moderation"


def test_local_rerank_orders_documents_by_word_overlap(offline, key) -> None:
    answer = httpx.post(offline.url + "/v1/rerank", headers=bearer(key), json={
        "model": "local/rerank", "query": "red fox", "top_n": 2,
        "documents": ["a blue whale", "the quick red fox jumps", "a red car"]})
    assert answer.status_code == 200, answer.text
    assert [r["index"] for r in answer.json()["results"]] == [1, 2]


def test_auto_draws_and_speaks_offline_with_the_local_models(offline, key) -> None:
    for prompt, model in (("Draw a lighthouse at dusk", "local/image"), ("Say hello to everyone", "local/speech")):
        answer = httpx.post(offline.url + "/v1/chat/completions", headers=bearer(key), json={
            "model": "auto", "messages": [{"role": "user", "content": prompt}]})
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-model-used"] == model
        media = answer.json()["choices"][0]["message"]["media"][0]
        assert httpx.get(media["url"]).content[:4] in (b"\x89PNG", b"RIFF")


def test_local_models_are_charged_their_catalog_price(offline, key, sdk) -> None:
    before = offline.balance(key["id"])
    assert sdk.audio.speech.create(model="local/speech", voice="alloy", input="Hi").content
    image = sdk.images.with_raw_response.generate(model="local/image", prompt="x", size="16x16")
    assert Decimal(image.headers["x-credits-used"]) == Decimal("0.001")
    deadline = time.monotonic() + 10  # settlements are flushed in batches, within about a second
    while before - offline.balance(key["id"]) != Decimal("0.002") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert before - offline.balance(key["id"]) == Decimal("0.002")
