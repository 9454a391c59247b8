"""Money is integer micro-credits (1 credit = 1_000_000 µc); floats never hold a balance.

Prices are micro-credits per token, so a charge is an exact integer product.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MICRO = 1_000_000
# A balance beyond this is almost certainly a typo in an admin call (and would lose float precision
# in JSON clients): one trillion credits.
MAX_CREDITS = Decimal(10) ** 12


def to_micro(credits: object) -> int:
    """Credits as the client wrote them (number or numeric string) → exact micro-credits.

    Raises ValueError for anything that is not a finite number with at most six decimals.
    """
    if isinstance(credits, bool):
        raise ValueError("credits must be a number")
    try:
        # str() first: Decimal(0.1) would carry the binary float's error into the ledger.
        amount = Decimal(str(credits))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("credits must be a number") from exc
    if not amount.is_finite():
        raise ValueError("credits must be finite")
    if abs(amount) > MAX_CREDITS:
        raise ValueError(f"credits must be at most {MAX_CREDITS} in absolute value")
    micro = amount * MICRO
    if micro != micro.to_integral_value():
        raise ValueError("credits have at most 6 decimal places")
    return int(micro)


def to_credits(micro: int) -> Decimal:
    return (Decimal(micro) / MICRO).normalize() if micro else Decimal(0)


def format_credits(micro: int) -> str:
    """For headers: plain decimal notation, no exponent (`0.0128`, `12`)."""
    return f"{to_credits(micro):f}"


def credits_json(micro: int) -> float | int:
    """For JSON bodies. Balances below 2**53 µc (9e9 credits) print exactly as decimals."""
    value = to_credits(micro)
    return int(value) if value == value.to_integral_value() else float(value)
