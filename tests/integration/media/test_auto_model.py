"""The `auto` models: a tier picks a configured model (its tier-mates as fallbacks), auto-ultra refines
its draft, and a request to draw, speak or make a sound is answered by the images or audio
endpoints as an ordinary chat.completion carrying the media's presigned URL."""

import json
import re
from decimal import Decimal

import httpx
import pytest

from tests.fakes.openai_upstream import Behaviour
from tollway.endpoints.auto import REFINE


def ask(caller, text: str, model: str = "auto", **extra) -> httpx.Response:
    return caller.post("/v1/chat/completions", json={"model": model, "messages": [{"role": "user", "content": text}],
                                                     **extra})


@pytest.mark.parametrize(("tier", "model"), [("auto-low", "gpt-4o-mini"), ("auto", "gpt-4o-mini"),
                                             ("auto-high", "gpt-4o")])
def test_a_tier_picks_its_best_configured_model(caller, upstream, tier: str, model: str) -> None:
    response = ask(caller, "what is two plus two", tier)
    assert response.status_code == 200, response.text
    assert response.headers["x-model-used"] == model and response.headers["x-auto-modality"] == "text"
    sent = upstream.requests[-1].body
    assert sent["model"] == model and "fallbacks" not in sent and "models" not in sent


def test_an_image_in_the_message_goes_to_a_vision_model(caller, upstream) -> None:
    response = caller.post("/v1/chat/completions", json={"model": "auto-low", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "what is this"}, {"type": "image_url", "image_url": {"url": "https://x.example/a.png"}}]}]})
    assert response.headers["x-auto-modality"] == "vision"
    assert response.headers["x-model-used"] == "gpt-4o-mini"  # vision-capable, first of the low tier


def test_auto_falls_back_within_its_tier(caller, upstream) -> None:
    upstream.script(Behaviour(status=500))
    response = ask(caller, "hello there", "auto-high")
    assert response.status_code == 200
    assert response.headers["x-fallback-from"] == "gpt-4o" and response.headers["x-model-used"] != "gpt-4o"


def test_ultra_refines_its_draft_on_the_same_model_and_charges_both_passes(caller, upstream) -> None:
    response = ask(caller, "alpha beta gamma", "auto-ultra")
    assert response.status_code == 200 and response.headers["x-auto-passes"] == "2"
    draft, final = upstream.requests[-2].body, upstream.requests[-1].body
    assert draft["model"] == final["model"] == "gpt-4o"
    assert final["messages"][-2] == {"role": "assistant", "content": "alpha beta gamma"}
    assert final["messages"][-1] == {"role": "user", "content": REFINE}
    total = Decimal(response.headers["x-credits-used"])
    draft_cost = Decimal(response.headers["x-auto-draft-credits"])
    refine_cost = (10 + len(REFINE.split())) * Decimal("0.01")  # the fake echoes the last user message
    assert draft_cost == (10 + 3) * Decimal("0.01") and total == draft_cost + refine_cost
    assert total == Decimal(str(response.json()["usage"]["cost"]))
    records = caller.admin.wait_for_usage(caller.id, 2)
    assert sum(r["credits_micro"] for r in records) == total * 1_000_000


def test_a_request_to_draw_is_answered_with_an_image_link(caller, media) -> None:
    response = ask(caller, "generate an image of a red fox in the snow")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and response.headers["x-auto-modality"] == "image"
    assert response.headers["x-model-used"] == "gpt-image-1" and Decimal(response.headers["x-credits-used"]) == Decimal("0.5")
    content = body["choices"][0]["message"]["content"]
    url = re.fullmatch(r"!\[a red fox in the snow\]\((\S+)\)", content).group(1)  # type: ignore[union-attr]
    assert f"keys%2F{caller.id}" in url or f"keys/{caller.id}" in url
    assert httpx.get(url).content.startswith(b"\x89PNG")
    assert body["choices"][0]["message"]["media"][0] == {"type": "image", "url": url}
    assert media.last("openai").json["prompt"] == "a red fox in the snow"
    (record,) = caller.usage()
    assert record["endpoint"] == "images.generations" and record["credits_micro"] == 500_000


@pytest.mark.parametrize(("text", "modality", "endpoint", "provider"),
                         [("say good morning everyone", "speech", "audio.speech", "openai"),
                          ("create a sound effect of a door creaking", "sound", "audio.generation", "elevenlabs")])
def test_requests_to_speak_or_make_a_sound_get_an_audio_link(caller, media, text: str, modality: str, endpoint: str,
                                                              provider: str) -> None:
    response = ask(caller, text)
    assert response.status_code == 200, response.text
    message = response.json()["choices"][0]["message"]
    assert response.headers["x-auto-modality"] == modality and Decimal(response.headers["x-credits-used"]) == 1
    url = message["media"][0]["url"]
    assert message["content"].endswith(f"]({url})") and len(httpx.get(url).content) > 0
    assert caller.usage()[0]["endpoint"] == endpoint and media.last(provider)


def test_a_media_answer_streams_as_a_chat_stream(caller, media) -> None:
    with caller.http.stream("POST", "/v1/chat/completions", json={
            "model": "auto", "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": "draw a lighthouse at dusk"}]}) as response:
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    assert lines[-1] == "data: [DONE]"
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]).startswith("![")
    assert chunks[-1]["usage"]["cost"] == 0.5


def test_a_named_model_is_never_hijacked(caller, upstream, media) -> None:
    response = ask(caller, "generate an image of a red fox", "gpt-4o-mini")
    assert response.headers["x-model-used"] == "gpt-4o-mini" and "x-auto-modality" not in response.headers
    assert upstream.requests[-1].body["messages"][0]["content"] == "generate an image of a red fox"
    assert media.requests == []


def test_auto_is_listed_and_only_on_chat_completions(caller) -> None:
    ids = {m["id"] for m in caller.get("/v1/models").json()["data"]}
    assert {"auto", "auto-low", "auto-high", "auto-ultra"} <= ids
    response = caller.post("/v1/messages", json={"model": "auto", "max_tokens": 5,
                                                 "messages": [{"role": "user", "content": "x"}]})
    assert response.status_code == 400 and "chat/completions" in response.json()["error"]["message"]
