"""`"async": true` on chat, speech and translations (besides images, transcriptions and documents),
with `result_destination` (the result copied into the key's own storage) and `webhook_topic` (a
named endpoint registered with POST /v1/webhooks); bad input on either is a 400 naming the field,
with nothing reserved or written."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import httpx
import pytest

from tests.fakes.media_samples import wav
from tests.fakes.openai_upstream import PROMPT_TOKENS

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 20}
PRICE = Decimal("0.0008")  # gpt-4o-mini, per token


def _outputs(ops, key: dict, name: str) -> bytes | None:
    try:
        return ops.s3.get_object(Bucket=_bucket(ops), Key=f"keys/{key['id']}/outputs/{name}")["Body"].read()
    except ops.s3.exceptions.NoSuchKey:
        return None


def _bucket(ops) -> str:
    return next(b["Name"] for b in ops.s3.list_buckets()["Buckets"] if "files" in b["Name"].lower())


def test_an_async_chat_is_an_operation_charged_its_tokens_and_copied_to_its_destination(ops) -> None:
    key = ops.key(credits=5)
    op = ops.submit(key, "/v1/chat/completions", CHAT | {"async": True, "result_destination": {
        "bucket_id": "outputs", "key": "chats/first.json"}})
    assert (op["kind"], op["model"]) == ("chat", "gpt-4o-mini")
    done, _ = ops.wait(key, op["id"])
    assert done["status"] == "succeeded", done
    completion = httpx.get(done["result"]["url"]).json()
    assert completion["object"] == "chat.completion" and completion["choices"][0]["message"]["content"]
    usage = completion["usage"]
    assert usage["prompt_tokens"] == PROMPT_TOKENS
    charged = (usage["prompt_tokens"] + usage["completion_tokens"]) * PRICE
    assert Decimal(str(done["credits_used"])) == charged == Decimal(str(completion["usage"]["cost"]))
    assert ops.balance(key) == 5 - charged
    assert done["result"]["destination"] == {"bucket_id": "outputs", "key": "chats/first.json", "written": True}
    assert json.loads(_outputs(ops, key, "chats/first.json") or b"{}") == completion


def test_async_speech_and_translation_deliver_to_a_registered_webhook_topic(ops, receiver, openai_media) -> None:
    key = ops.key(credits=5)
    name = uuid.uuid4().hex[:12]
    registered = ops.post(key, "/v1/webhooks", json={"topic": "renders", "url": f"{receiver.url}/hooks/{name}"})
    assert registered.status_code == 201, registered.text
    listed = ops.get(key, "/v1/webhooks").json()["data"]
    assert [(t["topic"], t["url"]) for t in listed] == [("renders", f"{receiver.url}/hooks/{name}")]
    assert ops.get(ops.key(credits=1), "/v1/webhooks").json()["data"] == []  # another key sees none
    speech = ops.submit(key, "/v1/audio/speech", {"model": "tts-1", "input": "hi", "voice": "adam", "async": True,
                                                  "webhook_topic": "renders"})
    assert speech["kind"] == "speech" and speech["webhook_url"].endswith(name)
    done, _ = ops.wait(key, speech["id"])
    assert done["status"] == "succeeded", done
    assert openai_media.last("openai").json["voice"] == "onyx"
    (delivery,) = receiver.wait_for(name, 1)
    assert json.loads(delivery.body)["id"] == speech["id"]
    translated = ops.post(key, "/v1/audio/translations", data={"model": "whisper-1", "async": "true"},
                          files={"file": ("talk.wav", wav(), "audio/wav")})
    assert translated.status_code == 202, translated.text
    assert translated.json()["kind"] == "translation"
    assert ops.wait(key, translated.json()["id"])[0]["status"] == "succeeded"
    assert ops.balance(key) == Decimal("3.5")  # speech 1.0, translation 0.5
    deleted = httpx.delete(f"{ops.url}/v1/webhooks/renders", headers=key["headers"])
    assert deleted.status_code == 200 and ops.get(key, "/v1/webhooks").json()["data"] == []
    again = httpx.delete(f"{ops.url}/v1/webhooks/renders", headers=key["headers"])
    assert again.status_code == 404


@pytest.mark.parametrize(("extra", "param"), [
    ({"webhook_topic": "never-registered"}, "webhook_topic"),
    ({"webhook_topic": "../etc"}, "webhook_topic"),
    ({"webhook_topic": "x", "webhook_url": "https://example.com/h"}, "webhook_topic"),
    ({"result_destination": {"bucket_id": "someone-elses", "key": "a.json"}}, "result_destination.bucket_id"),
    ({"result_destination": {"bucket_id": "files", "key": "file-abc"}}, "result_destination.bucket_id"),
    ({"result_destination": {"bucket_id": "outputs", "key": "../../other-key/outputs/x"}}, "result_destination.key"),
    ({"result_destination": {"bucket_id": "outputs", "key": "a%2f..%2fb"}}, "result_destination.key"),
    ({"result_destination": {"bucket_id": "outputs", "key": "/absolute"}}, "result_destination.key"),
    ({"result_destination": {"bucket_id": "outputs", "key": "nul\u0000byte"}}, "result_destination.key"),
    ({"result_destination": {"bucket_id": "outputs", "key": "k" * 2048}}, "result_destination.key"),
    ({"result_destination": {"bucket_id": "outputs", "key": "a", "acl": "public"}}, "result_destination.acl"),
    ({"result_destination": "outputs/a.json"}, "result_destination"),
])
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/audio/speech"])
def test_bad_delivery_fields_are_refused_naming_the_field_before_anything_is_reserved(ops, path, extra,
                                                                                        param) -> None:
    key = ops.key(credits=5)
    body = CHAT if path.endswith("completions") else {"model": "tts-1", "input": "hi"}
    response = ops.post(key, path, json=body | {"async": True} | extra)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert ops.balance(key) == 5


def test_delivery_fields_without_async_are_refused(ops) -> None:
    key = ops.key(credits=5)
    response = ops.post(key, "/v1/chat/completions", json=CHAT | {"webhook_topic": "renders"})
    assert response.status_code == 400 and response.json()["error"]["param"] == "webhook_topic"
    assert ops.balance(key) == 5


@pytest.mark.parametrize(("body", "param"), [
    ({"topic": "ok", "url": "ftp://example.com/x"}, "url"),
    ({"topic": "ok", "url": "http://user:pw@example.com/x"}, "url"),
    ({"topic": "ok", "url": "http://0.0.0.0/x"}, "url"),
    ({"topic": "ok", "url": "http://2130706433/x"}, "url"),
    ({"topic": "no/slash", "url": "https://example.com/x"}, "topic"),
    ({"topic": "", "url": "https://example.com/x"}, "topic"),
    ({"topic": "ok"}, "url"),
    ({"topic": "ok", "url": "https://example.com/x", "secret": "mine"}, "secret"),
])
def test_bad_webhook_registrations_are_refused_naming_the_field(ops, body, param) -> None:
    key = ops.key(credits=1)
    response = ops.post(key, "/v1/webhooks", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert ops.get(key, "/v1/webhooks").json()["data"] == []


def test_an_async_chat_refuses_stream_and_auto(ops) -> None:
    key = ops.key(credits=5)
    streamed = ops.post(key, "/v1/chat/completions", json=CHAT | {"async": True, "stream": True})
    assert streamed.status_code == 400 and streamed.json()["error"]["param"] == "stream"
    auto = ops.post(key, "/v1/chat/completions", json=CHAT | {"async": True, "model": "auto"})
    assert auto.status_code == 400 and auto.json()["error"]["param"] == "model"
    assert ops.balance(key) == 5


def test_an_async_transcription_takes_its_audio_by_storage_reference(ops, openai_media) -> None:
    key = ops.key(credits=5)
    uploaded = ops.post(key, "/v1/files", files={"file": ("talk.wav", wav(), "audio/wav")},
                        data={"purpose": "user_data"})
    assert uploaded.status_code == 200, uploaded.text
    op = ops.submit(key, "/v1/audio/transcriptions", {"model": "whisper-1", "async": True, "storage_ref": {
        "bucket_id": "files", "key": uploaded.json()["id"]}})
    assert op["filename"] == "talk.wav"
    assert ops.wait(key, op["id"])[0]["status"] == "succeeded"
    assert openai_media.last("openai").files["file"][0] == ("talk.wav", "audio/wav", wav())
