"""Video and music requests become priced orders (or clear 4xx) before anything is reserved."""

from typing import Any

import pytest

from tollway import config
from tollway.errors import ModelNotFound, ProviderNotConfigured, TollwayError
from tollway.operations.kinds import operation_kind


@pytest.fixture(autouse=True)
def providers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOLLWAY_SECRETS_ID", raising=False)
    for name in ("OPENAI_API_KEY", "REPLICATE_API_TOKEN", "ELEVENLABS_API_KEY"):
        monkeypatch.setenv(name, "configured")
    config.reset_for_tests()


@pytest.mark.parametrize(("kind", "body", "model", "provider", "reserve", "params"), [
    ("video", {"prompt": "a cat"}, "sora-2", "openai", 4_000_000,
     {"prompt": "a cat", "seconds": 4, "size": "720x1280"}),
    ("video", {"model": "sora-2-pro", "prompt": "a cat", "seconds": "12", "size": "1792x1024"}, "sora-2-pro",
     "openai", 36_000_000, {"prompt": "a cat", "seconds": 12, "size": "1792x1024"}),
    ("video", {"model": "sora-2-2025-10-06", "prompt": "x", "seconds": 8}, "sora-2-2025-10-06", "openai",
     8_000_000, {"prompt": "x", "seconds": 8, "size": "720x1280"}),
    ("video", {"model": "replicate/acme/clip", "prompt": "x", "input": {"fps": 8}}, "replicate/acme/clip",
     "replicate", 5_000_000, {"prompt": "x", "input": {"fps": 8}}),
    ("music", {"prompt": "piano"}, "music_v1", "elevenlabs", 1_500_000, {"prompt": "piano", "seconds": 30}),
    ("music", {"prompt": "piano", "seconds": 120, "force_instrumental": False}, "music_v1", "elevenlabs",
     6_000_000, {"prompt": "piano", "seconds": 120, "force_instrumental": False}),
    ("music", {"model": "replicate/acme/musicgen:0123456789abcdef", "prompt": "x"},
     "replicate/acme/musicgen:0123456789abcdef", "replicate", 2_000_000, {"prompt": "x", "input": {}}),
], ids=["sora-default", "sora-pro", "sora-snapshot", "replicate-video", "music-default", "music-120s",
        "replicate-music-version"])
def test_requests_become_orders_priced_by_the_catalog(kind: str, body: dict[str, Any], model: str, provider: str,
                                                      reserve: int, params: dict[str, Any]) -> None:
    order = operation_kind(kind).order(body)
    assert (order.kind, order.model, order.provider, order.reserve, order.params) == (
        kind, model, provider, reserve, params)


@pytest.mark.parametrize(("kind", "body", "error", "param"), [
    ("video", {"prompt": "x", "seconds": 6}, 400, "seconds"),
    ("video", {"prompt": "x", "seconds": 0}, 400, "seconds"),
    ("video", {"prompt": "x", "size": "720×1280"}, 400, "size"),
    ("video", {"model": "music_v1", "prompt": "x"}, 404, "model"),
    ("video", {"model": "replicate/only-owner", "prompt": "x"}, 404, "model"),
    ("video", {"model": "replicate/a/b", "prompt": "x", "size": "720x1280"}, 400, "size"),
    ("music", {"model": "sora-2", "prompt": "x"}, 404, "model"),
    ("music", {"prompt": "x", "input": {"a": 1}}, 400, "input"),
    ("music", {"prompt": "x" * 32_001}, 400, "prompt"),
    ("music", {"prompt": "x", "force_instrumental": "sometimes"}, 400, "force_instrumental"),
    ("music", {"model": "replicate/a/b", "prompt": "x", "force_instrumental": True}, 400, "force_instrumental"),
])
def test_bad_requests_are_refused_naming_the_param(kind: str, body: dict[str, Any], error: int, param: str) -> None:
    with pytest.raises(TollwayError) as refused:
        operation_kind(kind).order(body)
    assert (refused.value.status, refused.value.param) == (error, param)


def test_an_unconfigured_provider_is_a_503_before_anything_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPLICATE_API_TOKEN")
    monkeypatch.delenv("REPLICATE_BASE_URL", raising=False)
    with pytest.raises(ProviderNotConfigured):
        operation_kind("video").order({"model": "replicate/acme/clip", "prompt": "x"})


def test_an_unknown_kind_is_not_found() -> None:
    with pytest.raises(TollwayError) as missing:
        operation_kind("hologram")
    assert missing.value.status == 404 and not isinstance(missing.value, ModelNotFound)
