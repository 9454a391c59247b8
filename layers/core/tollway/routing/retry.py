"""Bounded retries on one provider: exponential backoff with full jitter, `Retry-After` honoured,
never past the request's deadline.

    policy = RetryPolicy(attempts=2, base_delay_s=0.25, max_delay_s=2.0)
    delay = policy.delay_before(attempt=1, retry_after="3", remaining_s=10)   # None: give up

Only failures where trying again can help are retried: the provider's 5xx, 429, timeouts and
connection errors. A 4xx about the request itself is the client's to fix.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from tollway.errors import TollwayError, UpstreamError, UpstreamRejected


def retryable(exc: TollwayError) -> bool:
    """Worth another attempt, on this provider or the next model: 5xx, 429, timeout, connection."""
    return isinstance(exc, UpstreamError) and not isinstance(exc, UpstreamRejected)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 2  # per provider, including the first
    base_delay_s: float = 0.25
    max_delay_s: float = 2.0

    def delay_before(self, attempt: int, retry_after: str | None, remaining_s: float,
                     rng: random.Random | None = None) -> float | None:
        """Seconds to wait before attempt number `attempt` (1 = the first retry), or None to stop."""
        if attempt >= self.attempts:
            return None
        asked = parse_retry_after(retry_after)
        if asked is not None:
            if asked > self.max_delay_s or asked >= remaining_s:
                return None  # the provider asks for longer than we may wait: try the next model
            return asked
        delay = (rng or random).uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))
        return delay if delay < remaining_s else None


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        import time

        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
