"""A media upstream that quotes the gateway's key in an error shows no part of it to the client or
the logs, even where the gateway's 500-character cut of the message falls inside the key (issue 10,
item 10: the cut used to come before the redaction, so half a key no longer matched and went out)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.fakes.media_samples import mp3
from tests.fakes.media_upstreams import KEYS, Knob
from tests.leaks import pieces_found, quoting_across_the_cut

RERANK = {"query": "capital of France", "documents": ["Paris", "Berlin"]}
# provider → (endpoint, request, the key the fake expects, in that provider's own format)
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "workers_ai": ("/v1/images/generations", {"json": {"model": "@cf/stabilityai/stable-diffusion-xl-base-1.0",
                                                       "prompt": "a lighthouse"}}),
    "elevenlabs": ("/v1/audio/speech", {"json": {"model": "eleven_multilingual_v2", "input": "hi"}}),
    "gemini": ("/v1/embeddings", {"json": {"model": "text-embedding-004", "input": "hi"}}),
    "cohere": ("/v1/rerank", {"json": {"model": "rerank-v3.5", **RERANK}}),
    "jina": ("/v1/rerank", {"json": {"model": "jina-reranker-v2-base-multilingual", **RERANK}}),
    "voyage": ("/v1/rerank", {"json": {"model": "rerank-2", **RERANK}}),
    "groq": ("/v1/audio/transcriptions", {"data": {"model": "whisper-large-v3"},
                                          "files": {"file": ("talk.mp3", mp3(), "audio/mpeg")}}),
}
KEY_OF = {"workers_ai": "cf"}


@pytest.mark.parametrize("provider", list(CALLS))
def test_a_media_upstream_quoting_our_key_across_the_message_cut_leaks_no_part_of_it(caller, media, provider: str,
                                                                                    capsys, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    secret = KEYS[KEY_OF.get(provider, provider)]
    endpoint, request = CALLS[provider]
    media.script(Knob(status=400, error_message=quoting_across_the_cut(secret)))
    response = caller.post(endpoint, **request)
    assert response.status_code == 400, response.text
    assert media.last(provider).provider == provider  # the message came from this provider's fake
    assert "Incorrect API key provided: [redacted]" in response.json()["error"]["message"]
    logs = capsys.readouterr()
    assert pieces_found(secret, response.text + logs.out + logs.err + caplog.text) == []
    assert caller.balance() == 10
