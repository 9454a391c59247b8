"""Retry delays: exponential with full jitter, Retry-After honoured, never past the deadline."""

import random
from email.utils import formatdate

import pytest

from tollway.errors import ModelNotFound, UpstreamError, UpstreamRateLimited, UpstreamRejected, UpstreamTimeout
from tollway.routing.retry import RetryPolicy, parse_retry_after, retryable


def test_backoff_grows_exponentially_with_full_jitter_and_is_capped() -> None:
    policy = RetryPolicy(attempts=6, base_delay_s=0.25, max_delay_s=2.0)
    rng = random.Random(7)
    for attempt, cap in [(1, 0.25), (2, 0.5), (3, 1.0), (4, 2.0), (5, 2.0)]:
        delays = [policy.delay_before(attempt, None, 100, rng) for _ in range(200)]
        assert all(d is not None and 0 <= d <= cap for d in delays)
        assert max(delays) > cap * 0.8  # the whole range is used
    assert policy.delay_before(6, None, 100, rng) is None  # attempts exhausted


@pytest.mark.parametrize(
    ("retry_after", "remaining", "expected"),
    [("1", 10, 1.0), ("0", 10, 0.0), ("1.5", 10, 1.5), ("3", 10, None),  # longer than max_delay: fall back
     ("1", 0.5, None)],  # past the deadline
)
def test_retry_after_is_honoured_within_limits(retry_after: str, remaining: float, expected: float | None) -> None:
    assert RetryPolicy(attempts=3, max_delay_s=2.0).delay_before(1, retry_after, remaining) == expected


def test_retry_after_may_be_an_http_date() -> None:
    import time

    assert 4 <= (parse_retry_after(formatdate(time.time() + 5, usegmt=True)) or 0) <= 5
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("error", "worth_retrying"),
    [(UpstreamError("5xx"), True), (UpstreamTimeout("slow"), True), (UpstreamRateLimited("429"), True),
     (UpstreamRejected("400"), False), (ModelNotFound("404"), False)],
)
def test_only_provider_side_failures_are_retried(error: Exception, worth_retrying: bool) -> None:
    assert retryable(error) is worth_retrying  # type: ignore[arg-type]
