"""Which models may answer a request, and what a request needs from its model."""

from typing import Any

import pytest

from tests.environment import changed_environment
from tollway.catalog import resolve
from tollway.errors import InvalidRequest
from tollway.routing.capabilities import needed_capabilities, require_capabilities
from tollway.routing.chain import asked_fallbacks, model_chain, without_fallback_fields


@pytest.mark.parametrize(
    ("raw", "chain"),
    [({"model": "gpt-4o"}, ["gpt-4o", "claude-sonnet-4-20250514"]),  # the catalog's default
     ({"model": "gpt-4o", "fallbacks": []}, ["gpt-4o"]),  # turned off
     ({"model": "gpt-4o", "fallbacks": ["a", "b"]}, ["gpt-4o", "a", "b"]),
     ({"model": "gpt-4o", "models": ["gpt-4o", "a"]}, ["gpt-4o", "a"]),  # OpenRouter style, primary repeated
     ({"model": "x", "models": ["a"], "fallbacks": ["b", "a"]}, ["x", "a", "b"]),
     ({"model": "no-default-chain"}, ["no-default-chain"])],
)
def test_the_chain_is_the_model_then_the_requested_or_default_alternatives(raw: dict, chain: list[str]) -> None:
    with changed_environment(TOLLWAY_DEFAULT_FALLBACKS=None):  # the catalog's own chains
        assert model_chain(raw["model"], asked_fallbacks(raw)) == chain


def test_fallback_fields_never_go_upstream() -> None:
    assert without_fallback_fields({"model": "m", "models": ["a"], "fallbacks": ["b"], "n": 1}) == {"model": "m", "n": 1}


IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
AUDIO = {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}


@pytest.mark.parametrize(
    ("raw", "needed"),
    [({"messages": [{"role": "user", "content": "hi"}]}, {}),
     ({"tools": [{"type": "function"}], "messages": []}, {"tools": "tools"}),
     ({"response_format": {"type": "json_schema"}, "messages": []}, {"json": "response_format"}),
     ({"response_format": {"type": "text"}, "messages": []}, {}),
     ({"messages": [{"role": "user", "content": "x"}, {"role": "user", "content": [{"type": "text"}, IMAGE]}]},
      {"vision": "messages.1.content.1"}),
     ({"messages": [{"role": "user", "content": [AUDIO, IMAGE]}]},
      {"audio": "messages.0.content.0", "vision": "messages.0.content.1"})],
)
def test_needed_capabilities_name_the_param_that_asks(raw: dict[str, Any], needed: dict[str, str]) -> None:
    assert needed_capabilities(raw) == needed


@pytest.mark.parametrize(
    ("model", "part", "code"),
    [("o3-mini", IMAGE, "vision_not_supported_by_model"), ("gpt-4o", AUDIO, "audio_not_supported_by_model"),
     ("deepseek-v4-flash", IMAGE, "vision_not_supported_by_model")],
)
def test_a_capability_the_model_lacks_is_a_400_before_anything_else(model: str, part: dict, code: str) -> None:
    spec = resolve(model)
    assert spec is not None
    with pytest.raises(InvalidRequest) as caught:
        require_capabilities(spec, needed_capabilities({"messages": [{"role": "user", "content": [part]}]}))
    assert caught.value.code == code and caught.value.param == "messages.0.content.0"


def test_unlisted_models_are_not_second_guessed() -> None:
    spec = resolve("gpt-5-experimental")
    assert spec is not None and not spec.listed
    require_capabilities(spec, needed_capabilities({"messages": [{"role": "user", "content": [IMAGE, AUDIO]}]}))
