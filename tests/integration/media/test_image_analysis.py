"""POST /v1/images/analysis: an image (upload, base64 or URL) and a prompt → text from a vision chat
model, charged the flat 0.5 credits an analysis costs."""

import base64
from decimal import Decimal

import pytest

from tests.fakes.media_samples import gif, jpeg, png
from tests.fakes.openai_upstream import PROMPT_TOKENS, Behaviour

PRICE = Decimal("0.5")  # per analysis, whichever model reads the image


def image_part(upstream) -> dict:
    (content,) = [m["content"] for m in upstream.requests[-1].body["messages"]]
    assert content[0] == {"type": "text", "text": "What is in the picture?"}
    return content[1]["image_url"]


@pytest.mark.parametrize("encoding", ["data-url", "plain"])
def test_a_base64_image_reaches_the_vision_model_as_a_data_url(caller, upstream, encoding: str) -> None:
    raw = base64.b64encode(png(3, 3)).decode()
    image = f"data:image/png;base64,{raw}" if encoding == "data-url" else raw
    response = caller.post("/v1/images/analysis", json={"prompt": "What is in the picture?", "image": image,
                                                        "detail": "low", "max_tokens": 50})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "image.analysis" and body["model"] == "gpt-4o-mini" and body["text"] == "ok"
    assert image_part(upstream) == {"url": f"data:image/png;base64,{raw}", "detail": "low"}
    assert upstream.requests[-1].body["max_completion_tokens"] == 50
    charged = PRICE
    assert body["usage"]["prompt_tokens"] == PROMPT_TOKENS
    assert Decimal(response.headers["x-credits-used"]) == charged == Decimal(str(body["usage"]["cost"]))
    assert caller.balance() == 10 - charged
    assert caller.usage()[0]["endpoint"] == "images.analysis"


def test_an_uploaded_image_and_an_image_url_work_too(make_caller, upstream) -> None:
    caller = make_caller(credits=100)  # gpt-4o reserves a high-detail image at 0.01 a token
    uploaded = caller.post("/v1/images/analysis", data={"prompt": "What is in the picture?", "model": "gpt-4o"},
                           files={"image": ("photo.jpg", jpeg(), "image/jpeg")})
    assert uploaded.status_code == 200, uploaded.text
    assert image_part(upstream)["url"] == "data:image/jpeg;base64," + base64.b64encode(jpeg()).decode()
    assert upstream.requests[-1].body["model"] == "gpt-4o"
    linked = caller.post("/v1/images/analysis", json={"prompt": "What is in the picture?",
                                                      "image_url": "https://example.com/cat.png"})
    assert linked.status_code == 200, linked.text
    assert image_part(upstream)["url"] == "https://example.com/cat.png"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"prompt": "x", "image": "not base64 at all!"}, 400, "invalid_base64"),
    ({"prompt": "x", "image": base64.b64encode(gif()).decode()}, 415, "unsupported_image_format"),
    ({"prompt": "x", "image": base64.b64encode(b"\x89PNG\r\n\x1a\ntruncated").decode()}, 400, "invalid_image"),
    ({"prompt": "x"}, 400, "invalid_image"),
    ({"prompt": "x", "image": base64.b64encode(png()).decode(), "image_url": "https://example.com/a.png"}, 400,
     "invalid_image"),
    ({"prompt": "x", "image_url": "file:///etc/passwd"}, 400, "invalid_value"),
    ({"prompt": "x", "image_url": "https://example.com/a.png", "model": "local/echo", "fallbacks": []}, 400,
     "vision_not_supported_by_model"),
    ({"prompt": "x", "image_url": "https://example.com/a.png", "model": "no-such-model"}, 404, "model_not_found"),
], ids=["bad-base64", "gif", "corrupt", "no-image", "two-images", "file-url", "no-vision", "unknown-model"])
def test_bad_analysis_requests_are_refused_and_cost_nothing(caller, upstream, body, status: int, code: str) -> None:
    response = caller.post("/v1/images/analysis", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert upstream.requests == [] and caller.balance() == 10


def test_a_failed_vision_call_refunds(caller, upstream) -> None:
    upstream.script(Behaviour(status=503))
    response = caller.post("/v1/images/analysis", json={"prompt": "x", "image_url": "https://example.com/a.png"})
    assert response.status_code == 502 and caller.balance() == 10
    assert caller.usage()[0]["status"] == "upstream_error"
