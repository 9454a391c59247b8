"""Images: generations (OpenAI, Workers AI), edits and variations (multipart), b64_json or presigned
URLs, 0.5 credits per image returned."""

import base64
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.fakes.media_samples import gif, jpeg, png, webp
from tests.fakes.media_upstreams import CF_ACCOUNT, KEYS, Knob
from tollway.wire.media_types import sniff_image

PER_IMAGE = Decimal("0.5")
SDXL = "@cf/stabilityai/stable-diffusion-xl-base-1.0"


def test_generated_images_come_back_as_base64_and_cost_half_a_credit_each(caller, media) -> None:
    response = caller.post("/v1/images/generations", json={"model": "gpt-image-1", "prompt": "a fox", "n": 3,
                                                           "size": "1024x1024", "quality": "low"})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert len(data) == 3 and all(sniff_image(base64.b64decode(item["b64_json"])) == "png" for item in data)
    assert Decimal(response.headers["x-credits-used"]) == 3 * PER_IMAGE
    assert caller.balance() == 10 - 3 * PER_IMAGE
    sent = media.last("openai").json
    # gpt-image models refuse response_format; unknown parameters pass through.
    assert sent == {"model": "gpt-image-1", "prompt": "a fox", "n": 3, "size": "1024x1024", "quality": "low"}
    (record,) = caller.usage()
    assert (record["endpoint"], record["reserved_micro"], record["credits_micro"]) == (
        "images.generations", 1_500_000, 1_500_000)


def test_only_the_images_returned_are_charged(caller, media) -> None:
    media.script(Knob(images=1))
    response = caller.post("/v1/images/generations", json={"model": "dall-e-3", "prompt": "two cats", "n": 2,
                                                           "response_format": "b64_json"})
    assert response.status_code == 200, response.text
    (item,) = response.json()["data"]
    assert item["revised_prompt"] == "revised: two cats"
    assert media.last("openai").json["response_format"] == "b64_json"
    assert caller.balance() == 10 - PER_IMAGE


def test_url_format_stores_the_image_under_the_key_and_presigns_an_hour(caller, media) -> None:
    response = caller.post("/v1/images/generations", json={"model": "dall-e-3", "prompt": "a lighthouse"})
    assert response.status_code == 200, response.text
    (item,) = response.json()["data"]  # dall-e's default is a URL, as at OpenAI
    url = item["url"]
    assert f"/keys/{caller.id}/media/" in urlsplit(url).path and urlsplit(url).path.endswith(".png")
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["3600"]
    fetched = httpx.get(url)  # no gateway key: the URL alone grants access
    assert fetched.status_code == 200 and sniff_image(fetched.content) == "png"
    assert media.last("openai").json["response_format"] == "b64_json"  # the gateway stores the bytes itself


def test_workers_ai_sdxl_makes_one_call_per_image(caller, media) -> None:
    response = caller.post("/v1/images/generations", json={"model": SDXL, "prompt": "mountains", "n": 2,
                                                           "size": "512x768", "negative_prompt": "fog"})
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == 2 and "b64_json" in response.json()["data"][0]
    calls = [seen for seen in media.requests if seen.provider == "workers_ai"]
    assert len(calls) == 2
    assert calls[0].path == f"/cf/client/v4/accounts/{CF_ACCOUNT}/ai/run/{SDXL}"
    assert calls[0].headers["authorization"] == f"Bearer {KEYS['cf']}"
    assert calls[0].json == {"prompt": "mountains", "width": 512, "height": 768, "negative_prompt": "fog"}
    assert Decimal(response.headers["x-credits-used"]) == 2 * PER_IMAGE


def test_workers_ai_models_answering_json_base64_work_too(caller, media) -> None:
    response = caller.post("/v1/images/generations", json={"model": "@cf/black-forest-labs/flux-1-schnell",
                                                           "prompt": "x", "response_format": "url"})
    assert response.status_code == 200, response.text
    assert httpx.get(response.json()["data"][0]["url"]).content.startswith(b"\x89PNG")


def test_workers_ai_keeps_the_images_that_succeeded_when_some_fail(caller, media) -> None:
    media.script(Knob(status=500), Knob())
    response = caller.post("/v1/images/generations", json={"model": SDXL, "prompt": "x", "n": 2})
    assert response.status_code == 200 and len(response.json()["data"]) == 1
    assert caller.balance() == 10 - PER_IMAGE


@pytest.mark.parametrize(("body", "param"), [
    ({"prompt": "x", "n": 0}, "n"), ({"prompt": "x", "n": 5}, "n"), ({"prompt": "x", "size": "big"}, "size"),
    ({"prompt": "x", "size": "1024*1024"}, "size"), ({"prompt": "x", "size": "0x10"}, "size"),
    ({"prompt": ""}, "prompt"), ({"prompt": "x", "response_format": "jpeg"}, "response_format"),
    ({"model": SDXL, "prompt": "x", "size": "4096x4096"}, "size"),
], ids=["n-0", "n-5", "size-word", "size-star", "size-zero", "empty-prompt", "format", "sdxl-too-big"])
def test_bad_generation_parameters_are_a_400_and_cost_nothing(caller, body, param: str) -> None:
    response = caller.post("/v1/images/generations", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert caller.balance() == 10


def test_edits_take_a_multipart_image_and_mask(caller, media) -> None:
    response = caller.post("/v1/images/edits", data={"prompt": "add a hat", "n": "2", "model": "gpt-image-1"},
                           files={"image": ("cat.png", png(4, 4), "image/png"),
                                  "mask": ("mask.png", png(4, 4), "image/png")})
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == 2
    seen = media.last("openai")
    assert seen.path == "/v1/images/edits"
    assert seen.files["image"][0][:2] == ("cat.png", "image/png") and seen.files["mask"][0][2] == png(4, 4)
    assert seen.fields["prompt"] == ["add a hat"] and seen.fields["n"] == ["2"]
    assert Decimal(response.headers["x-credits-used"]) == 2 * PER_IMAGE


def test_several_images_go_up_as_an_image_array(caller, media) -> None:
    files = [("image[]", ("a.jpg", jpeg(), "image/jpeg")), ("image[]", ("b.webp", webp(), "image/webp"))]
    response = caller.post("/v1/images/edits", data={"prompt": "merge"}, files=files)
    assert response.status_code == 200, response.text
    assert [f[0] for f in media.last("openai").files["image[]"]] == ["a.jpg", "b.webp"]


def test_variations_take_one_image(caller, media) -> None:
    response = caller.post("/v1/images/variations", data={"n": "1", "response_format": "url"},
                           files={"image": ("fox.png", png(), "image/png")})
    assert response.status_code == 200, response.text
    assert f"/keys/{caller.id}/media/" in response.json()["data"][0]["url"]
    assert media.last("openai").fields["model"] == ["dall-e-2"]


@pytest.mark.parametrize(("upload", "status", "code"), [
    (("empty.png", b"", "image/png"), 400, "empty_file"),
    (("broken.png", b"\x89PNG but not really", "image/png"), 400, "invalid_image"),
    (("anim.gif", gif(), "image/gif"), 415, "unsupported_image_format"),
    (("photo.bmp", b"BM" + bytes(60), "application/octet-stream"), 415, "unsupported_image_format"),
    (("notes.txt", b"just some text", "text/plain"), 415, "unsupported_image_format"),
], ids=["empty", "corrupt", "gif", "bmp", "text"])
def test_bad_image_uploads_are_refused_before_anything_is_reserved(caller, media, upload, status: int,
                                                                   code: str) -> None:
    response = caller.post("/v1/images/edits", data={"prompt": "x"}, files={"image": upload})
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code and response.json()["error"]["param"] == "image"
    assert caller.usage() == [] and media.requests == []


@pytest.mark.parametrize(("path", "kwargs", "code"), [
    ("/v1/images/edits", {"data": {"prompt": "x"}, "files": {"other": ("a.txt", b"x", "text/plain")}}, "missing_file"),
    ("/v1/images/edits", {"json": {"prompt": "x"}}, "missing_file"),
    ("/v1/images/edits", {"content": b"prompt=x", "headers": {"content-type": "application/x-www-form-urlencoded"}},
     "unsupported_content_type"),
    ("/v1/images/variations", {"content": b"--x\r\n", "headers": {"content-type": "multipart/form-data"}},
     "invalid_multipart"),
], ids=["no-file", "json-without-image", "form-urlencoded", "broken-multipart"])
def test_a_request_that_is_not_a_proper_upload_gets_a_clear_4xx(caller, path: str, kwargs, code: str) -> None:
    response = caller.post(path, **kwargs)
    assert response.status_code in (400, 415), response.text
    assert response.json()["error"]["code"] == code


def test_models_that_cannot_edit_are_refused_by_name(caller, media) -> None:
    response = caller.post("/v1/images/edits", data={"prompt": "x", "model": "dall-e-3"},
                           files={"image": ("a.png", png(), "image/png")})
    assert response.status_code == 400
    assert "dall-e-3 does not support image edits" in response.json()["error"]["message"]
    unsupported = caller.post("/v1/images/edits", data={"prompt": "x", "model": "@cf/some/new-model"},
                              files={"image": ("a.png", png(), "image/png")})
    assert unsupported.status_code == 501 and "workers_ai" in unsupported.json()["error"]["message"]
    assert media.requests == [] and caller.balance() == 10


@pytest.mark.parametrize("path", ["/v1/images/generations", "/v1/images/edits", "/v1/images/variations"])
def test_a_failed_upstream_image_call_refunds(caller, media, path: str) -> None:
    media.script(Knob(status=500, error_message=f"boom with {KEYS['openai']}"))
    kwargs = ({"json": {"model": "dall-e-2", "prompt": "x", "n": 2}} if path.endswith("generations")
              else {"data": {"prompt": "x", "model": "dall-e-2", "n": "2"},
                    "files": {"image": ("a.png", png(), "image/png")}})
    response = caller.post(path, **kwargs)
    assert response.status_code == 502, response.text
    assert KEYS["openai"] not in response.text and response.headers["x-credits-used"] == "0"
    assert caller.balance() == 10
    (record,) = caller.usage()
    assert (record["status"], record["reserved_micro"], record["credits_micro"]) == ("upstream_error", 1_000_000, 0)


def test_storing_media_failing_refunds_the_images(caller, media, monkeypatch) -> None:
    import tollway.endpoints.images as images

    def broken(*_: object) -> None:
        raise RuntimeError("S3 is down")

    monkeypatch.setattr(images, "store_media", broken)
    response = caller.post("/v1/images/generations",
                           json={"model": "dall-e-3", "prompt": "x", "response_format": "url"})
    assert response.status_code == 500
    assert caller.balance() == 10
    assert re.match(r"client_disconnected|upstream_error", caller.usage()[0]["status"])
