"""`tollway serve`'s per-client-IP limit: a sliding window of `limit` requests per `window_s`, and a
Retry-After that is exactly when the address is admitted again."""

from __future__ import annotations

import random

import pytest

from tollway.http.client_limit import PRUNE_EVERY, SlidingWindows


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_an_address_gets_its_limit_then_429_until_its_window_slides() -> None:
    clock = Clock(6000.0)  # the start of a window
    windows = SlidingWindows(limit=5, window_s=600, clock=clock)
    assert [windows.admit("203.0.113.7") for _ in range(5)] == [0.0] * 5
    wait = windows.admit("203.0.113.7")
    assert wait == pytest.approx(600 + 600 * (1 - 4 / 5))  # the 5 fade to 4 a fifth into the next window
    assert windows.admit("198.51.100.1") == 0.0  # another address has its own count
    clock.now += wait - 0.5
    assert windows.admit("203.0.113.7") > 0
    clock.now += 0.51
    assert windows.admit("203.0.113.7") == 0.0


@pytest.mark.parametrize("seed", range(20))
def test_retry_after_is_the_first_moment_the_address_is_admitted_again(seed: int) -> None:
    rng = random.Random(seed)
    clock = Clock(rng.uniform(0, 10_000))
    limit, window_s = rng.randint(1, 50), rng.choice([10.0, 60.0, 600.0])
    windows = SlidingWindows(limit=limit, window_s=window_s, clock=clock)
    for _ in range(200):
        clock.now += rng.expovariate(limit / window_s * 3)  # three times faster than allowed
        wait = windows.admit("a")
        if wait:
            probe = SlidingWindows(limit, window_s, clock)
            probe.windows["a"] = type(windows.windows["a"])(**vars(windows.windows["a"]))
            saved = clock.now
            clock.now = saved + wait * 0.999 - 1e-6
            assert probe.admit("a") > 0, "admitted before Retry-After"
            clock.now = saved + wait + 1e-6
            assert probe.admit("a") == 0.0, "still refused after Retry-After"
            clock.now = saved


def test_addresses_idle_for_two_windows_are_forgotten() -> None:
    clock = Clock(0.0)
    windows = SlidingWindows(limit=10, window_s=60, clock=clock)
    windows.admit("old")
    clock.now = 200.0
    for n in range(PRUNE_EVERY):
        windows.admit(f"new-{n % 3}")
    assert "old" not in windows.windows and len(windows.windows) == 3
