"""Model name → provider and price: one catalog decides both."""

import pytest

from tollway.catalog import resolve
from tollway.catalog.spec import DEFAULT_PRICE

PRODUCT_SHEET = {
    "deepseek-v4-flash": "0.0004", "deepseek-v4-pro": "0.002", "deepseek-reasoner": "0.002", "o3-mini": "0.004",
    "gpt-4o": "0.01", "gpt-4o-mini": "0.0008", "llama-3.3-70b-versatile": "0.0008",
    "llama-3.1-8b-instant": "0.0004", "claude-sonnet-4-20250514": "0.006", "claude-haiku-3.5": "0.002",
}


@pytest.mark.parametrize(("model", "credits_per_token"), sorted(PRODUCT_SHEET.items()))
def test_listed_models_carry_the_product_sheet_price(model: str, credits_per_token: str) -> None:
    spec = resolve(model)
    assert spec is not None and spec.listed
    micro = round(float(credits_per_token) * 1_000_000)
    assert spec.input_price == spec.output_price == micro
    assert spec.cost(10, 5) == 15 * micro


@pytest.mark.parametrize(
    ("model", "provider"),
    [("gpt-4.1-nano", "openai"), ("o1-preview", "openai"), ("o3-pro", "openai"), ("o4-mini", "openai"),
     ("llama-4-scout", "groq"), ("mixtral-8x7b-32768", "groq"), ("gemma2-9b-it", "groq"),
     ("deepseek-r1-distill-llama-70b", "groq"), ("deepseek-chat", "deepseek"), ("local/echo", "local")],
)
def test_unlisted_models_resolve_by_name_pattern(model: str, provider: str) -> None:
    spec = resolve(model)
    assert spec is not None and spec.provider == provider
    if not spec.listed:
        assert spec.input_price == spec.output_price == DEFAULT_PRICE


@pytest.mark.parametrize("model", ["", "mistral-large", "local/other", "GPT-4O", "text-davinci", "o2"])
def test_unknown_models_do_not_resolve(model: str) -> None:
    assert resolve(model) is None
