"""Money is integer micro-credits: conversions are exact or refused, never rounded."""

from decimal import Decimal

import pytest

from tollway.ledger.money import credits_json, format_credits, to_micro


@pytest.mark.parametrize(
    ("given", "micro"),
    [
        (10, 10_000_000),
        ("10", 10_000_000),
        (0.1, 100_000),  # the float's shortest repr, not its binary expansion
        ("0.000001", 1),
        (Decimal("1.5"), 1_500_000),
        (-2.25, -2_250_000),
        (0, 0),
        ("1e3", 1_000_000_000),
    ],
)
def test_credits_convert_exactly_to_micro_credits(given: object, micro: int) -> None:
    assert to_micro(given) == micro


@pytest.mark.parametrize("given", [True, "abc", "0.0000001", float("nan"), float("inf"), "1e13", None, [1]])
def test_unrepresentable_amounts_are_refused(given: object) -> None:
    with pytest.raises(ValueError):
        to_micro(given)


@pytest.mark.parametrize(
    ("micro", "header", "json_value"),
    [(0, "0", 0), (1, "0.000001", 0.000001), (12_800, "0.0128", 0.0128), (10_000_000, "10", 10),
     (1_234_567_890, "1234.56789", 1234.56789)],
)
def test_micro_credits_render_without_exponents(micro: int, header: str, json_value: float) -> None:
    assert format_credits(micro) == header
    assert credits_json(micro) == json_value
