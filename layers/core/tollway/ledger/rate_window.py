"""A fixed one-minute window counted on the key's own item.

Each minute has its own attribute (`rl_<minute>`), so counting is one `if_not_exists(...) + 1` with
the limit in the same condition as the credit check: the whole admission is one UpdateItem on one
item, with no transaction to conflict under load. Old minutes are removed at settlement.
"""

from __future__ import annotations

import math

WINDOW_S = 60
PREFIX = "rl_"


def window(now: float) -> int:
    return int(now // WINDOW_S)


def attribute(minute: int) -> str:
    return f"{PREFIX}{minute}"


def seconds_to_reset(now: float) -> int:
    return max(1, math.ceil((window(now) + 1) * WINDOW_S - now))


def stale_attributes(item_attributes: object, current: int) -> list[str]:
    """Counter attributes of minutes that have passed (to drop at settlement)."""
    names = item_attributes if isinstance(item_attributes, (list, tuple, set, dict)) else ()
    return [n for n in names if isinstance(n, str) and n.startswith(PREFIX) and n != attribute(current)]


def headers(limit: int, used: int, now: float) -> dict[str, str]:
    """OpenAI's names and formats (`reset` as a duration like `17s`)."""
    return {
        "x-ratelimit-limit-requests": str(limit),
        "x-ratelimit-remaining-requests": str(max(0, limit - used)),
        "x-ratelimit-reset-requests": f"{seconds_to_reset(now)}s",
    }
