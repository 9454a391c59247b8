"""A circuit breaker per provider, so a dead provider costs no latency.

    breaker = breakers()                   # one per process
    if breaker.allows("anthropic"): ...    # closed, or half-open with the probe slot free
    breaker.succeeded("anthropic") / breaker.failed("anthropic")

Closed → after `threshold` consecutive failures → open (every request skips the provider, so a
fallback answers at once) → after `cooldown_s` → half-open: one request probes; success closes the
circuit, failure opens it for another cooldown. State is per process: each Lambda instance learns
on its own within `threshold` requests, which costs nothing on the request path (a shared breaker
in DynamoDB would cost a round trip per request).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache


@dataclass
class _Circuit:
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False


class CircuitBreaker:
    def __init__(self, threshold: int = 5, cooldown_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._circuits: dict[str, _Circuit] = {}
        self._lock = threading.Lock()

    def state(self, provider: str) -> str:
        circuit = self._circuits.get(provider)
        if circuit is None or circuit.opened_at is None:
            return "closed"
        return "half_open" if self._clock() - circuit.opened_at >= self.cooldown_s else "open"

    def allows(self, provider: str) -> bool:
        """May a request go to `provider` now? In half-open state only one probe at a time."""
        with self._lock:
            state = self.state(provider)
            if state == "closed":
                return True
            if state == "open":
                return False
            circuit = self._circuits[provider]
            if circuit.probing:
                return False
            circuit.probing = True
            return True

    def succeeded(self, provider: str) -> None:
        with self._lock:
            self._circuits.pop(provider, None)

    def failed(self, provider: str) -> None:
        with self._lock:
            circuit = self._circuits.setdefault(provider, _Circuit())
            circuit.failures += 1
            if circuit.probing or circuit.failures >= self.threshold:
                circuit.opened_at = self._clock()
                circuit.probing = False

    def release_probe(self, provider: str) -> None:
        """A probe that ended without a verdict (cancelled): let the next request probe instead."""
        with self._lock:
            circuit = self._circuits.get(provider)
            if circuit is not None:
                circuit.probing = False

    def reset(self) -> None:
        with self._lock:
            self._circuits.clear()


@lru_cache(maxsize=1)
def breakers() -> CircuitBreaker:
    from tollway.config import settings

    s = settings()
    return CircuitBreaker(threshold=s.breaker_threshold, cooldown_s=s.breaker_cooldown_s)
