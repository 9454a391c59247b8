"""The one-minute rate window: which attribute counts, when it resets, what the headers say."""

import pytest

from tollway.ledger import rate_window as rate


@pytest.mark.parametrize(("now", "reset"), [(120.0, 60), (120.5, 60), (150.0, 30), (179.2, 1), (179.99, 1)])
def test_reset_is_the_whole_seconds_left_in_the_minute(now: float, reset: int) -> None:
    assert rate.seconds_to_reset(now) == reset


def test_each_minute_counts_in_its_own_attribute_and_old_ones_are_stale() -> None:
    now = 1_800_000_030.0
    current = rate.window(now)
    attributes = {"id": 1, "balance": 2, rate.attribute(current): 3, rate.attribute(current - 1): 4,
                  rate.attribute(current - 7): 5}
    assert sorted(rate.stale_attributes(attributes, current)) == sorted(
        [rate.attribute(current - 1), rate.attribute(current - 7)])


def test_headers_use_openai_names_and_never_go_negative() -> None:
    assert rate.headers(60, 61, 150.0) == {"x-ratelimit-limit-requests": "60",
                                           "x-ratelimit-remaining-requests": "0",
                                           "x-ratelimit-reset-requests": "30s"}
    assert rate.headers(60, 1, 150.0)["x-ratelimit-remaining-requests"] == "59"
