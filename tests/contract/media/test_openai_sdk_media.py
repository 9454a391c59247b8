"""The real `openai` SDK, exactly as a user writes it, against `tollway serve`: every media and files
method the gateway serves works unchanged, and its errors map to the SDK's error classes."""

import base64
from decimal import Decimal

import httpx
import openai
import pytest
from openai import OpenAI

from tests.fakes.media_samples import mp3, png
from tests.fakes.media_upstreams import TRANSCRIPT, mp3_chunks, vector


@pytest.fixture()
def sdk(media_served) -> OpenAI:
    key = media_served.create_key(credits=20)
    return OpenAI(base_url=media_served.url + "/v1", api_key=key["key"], max_retries=0)


def test_embeddings_create_decodes_base64_by_default_and_floats_on_request(sdk) -> None:
    default = sdk.embeddings.with_raw_response.create(model="text-embedding-3-small", input=["alpha", "beta gamma"])
    parsed = default.parse()
    assert [d.embedding for d in parsed.data] == [vector("alpha", 8), vector("beta gamma", 8)]
    assert Decimal(default.headers["x-credits-used"]) > 0
    assert default.headers["x-model-used"] == "text-embedding-3-small"
    floats = sdk.embeddings.create(model="text-embedding-004", input="alpha", encoding_format="float", dimensions=4)
    assert floats.data[0].embedding == vector("alpha", 4) and floats.usage.prompt_tokens > 0


def test_images_generate_returns_base64_or_a_fetchable_url(sdk) -> None:
    b64 = sdk.images.generate(model="gpt-image-1", prompt="a fox", n=2, size="1024x1024")
    assert len(b64.data) == 2 and base64.b64decode(b64.data[0].b64_json).startswith(b"\x89PNG")
    linked = sdk.images.generate(model="dall-e-3", prompt="a fox", response_format="url")
    assert linked.data[0].revised_prompt == "revised: a fox"
    assert httpx.get(linked.data[0].url).content.startswith(b"\x89PNG")
    sdxl = sdk.images.generate(model="@cf/stabilityai/stable-diffusion-xl-base-1.0", prompt="hills",
                               response_format="b64_json")
    assert base64.b64decode(sdxl.data[0].b64_json).startswith(b"\x89PNG")


def test_images_edit_and_create_variation_upload_multipart(sdk) -> None:
    edited = sdk.images.edit(model="gpt-image-1", image=("cat.png", png(2, 2), "image/png"), prompt="add a hat",
                             mask=("mask.png", png(2, 2), "image/png"))
    assert base64.b64decode(edited.data[0].b64_json).startswith(b"\x89PNG")
    several = sdk.images.edit(image=[("a.png", png(), "image/png"), ("b.png", png(), "image/png")], prompt="merge")
    assert len(several.data) == 1
    varied = sdk.images.create_variation(image=("fox.png", png(), "image/png"), n=2, response_format="b64_json")
    assert len(varied.data) == 2


def test_audio_speech_streams_through_with_streaming_response(sdk) -> None:
    with sdk.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input="Hello") as response:
        assert response.headers["content-type"] == "audio/mpeg"
        assert response.headers["x-credits-reserved"] == "1"
        audio = b"".join(response.iter_bytes())
    assert audio == b"".join(mp3_chunks())
    eleven = sdk.audio.speech.create(model="eleven_multilingual_v2", voice="nova", input="Bonjour")
    assert eleven.content == audio


def test_audio_transcriptions_and_translations_create(sdk) -> None:
    transcript = sdk.audio.transcriptions.create(model="whisper-1", file=("talk.mp3", mp3(), "audio/mpeg"))
    assert transcript.text == TRANSCRIPT
    text = sdk.audio.transcriptions.create(model="whisper-large-v3", file=("talk.mp3", mp3(), "audio/mpeg"),
                                           response_format="text")
    assert text == TRANSCRIPT
    verbose = sdk.audio.transcriptions.create(model="whisper-1", file=("talk.mp3", mp3(), "audio/mpeg"),
                                              response_format="verbose_json", timestamp_granularities=["segment"])
    assert verbose.segments[0].text == TRANSCRIPT
    translated = sdk.audio.translations.create(model="whisper-1", file=("talk.mp3", mp3(), "audio/mpeg"))
    assert translated.text == "translated " + TRANSCRIPT


def test_moderations_create(sdk) -> None:
    raw = sdk.moderations.with_raw_response.create(input=["fine", "kill it"])
    assert [r.flagged for r in raw.parse().results] == [False, True]
    assert raw.headers["x-credits-used"] == "0"


def test_files_create_list_retrieve_content_delete(sdk) -> None:
    created = sdk.files.create(file=("data.jsonl", b'{"a": 1}\n', "application/jsonl"), purpose="batch")
    assert created.object == "file" and created.bytes == 9 and created.status == "processed"
    assert created.id in [f.id for f in sdk.files.list()]
    assert sdk.files.retrieve(created.id).filename == "data.jsonl"
    assert sdk.files.content(created.id).content == b'{"a": 1}\n'
    raw = sdk.files.with_raw_response.retrieve(created.id)
    assert raw.headers["x-storage-used-bytes"] == "9"
    deleted = sdk.files.delete(created.id)
    assert deleted.deleted is True and deleted.id == created.id
    with pytest.raises(openai.NotFoundError):
        sdk.files.retrieve(created.id)


def test_uploads_create_put_and_complete(sdk) -> None:
    data = b"x" * 7_000_000  # more than one request to the gateway may carry
    created = sdk.uploads.create(bytes=len(data), filename="big.bin", mime_type="application/octet-stream",
                                 purpose="user_data")
    assert created.status == "pending"
    form = created.model_extra  # the presigned S3 POST: its fields, then the file
    sent = httpx.post(form["upload_url"], data=form["upload_fields"], files={"file": ("big.bin", data)}, timeout=30)
    assert sent.status_code == 204
    completed = sdk.uploads.complete(created.id, part_ids=[])
    assert completed.status == "completed" and completed.file.bytes == len(data)
    assert sdk.files.content(completed.file.id).content == data  # followed the redirect to S3


def test_another_keys_file_is_a_not_found_error(sdk, media_served) -> None:
    created = sdk.files.create(file=("mine.txt", b"private", "text/plain"), purpose="user_data")
    other = OpenAI(base_url=media_served.url + "/v1", api_key=media_served.create_key(credits=1)["key"], max_retries=0)
    for call in (lambda: other.files.retrieve(created.id), lambda: other.files.content(created.id),
                 lambda: other.files.delete(created.id)):
        with pytest.raises(openai.NotFoundError):
            call()
    assert created.id not in [f.id for f in other.files.list()]


def test_errors_map_to_the_sdk_classes(sdk, media, media_served) -> None:
    with pytest.raises(openai.BadRequestError) as bad_size:
        sdk.images.generate(prompt="x", size="huge")
    assert bad_size.value.param == "size"
    with pytest.raises(openai.BadRequestError):
        sdk.images.generate(prompt="x", n=5)
    with pytest.raises(openai.APIStatusError) as unsupported:
        sdk.audio.transcriptions.create(model="whisper-1", file=("a.png", png(), "image/png"))
    assert unsupported.value.status_code == 415
    with pytest.raises(openai.NotFoundError):
        sdk.embeddings.create(model="gpt-4o-mini", input="x")
    broke = OpenAI(base_url=media_served.url + "/v1", api_key=media_served.create_key(credits=0)["key"], max_retries=0)
    with pytest.raises(openai.APIStatusError) as unpaid:
        broke.images.generate(prompt="x")
    assert unpaid.value.status_code == 402
