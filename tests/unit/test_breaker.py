"""The circuit breaker: closed → open after repeated failures → half-open probe → closed or open."""

from tollway.routing.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_consecutive_failures_open_the_circuit_and_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown_s=30, clock=Clock())
    breaker.failed("p")
    breaker.failed("p")
    breaker.succeeded("p")
    breaker.failed("p")
    breaker.failed("p")
    assert breaker.state("p") == "closed" and breaker.allows("p")
    breaker.failed("p")
    assert breaker.state("p") == "open" and not breaker.allows("p")
    assert breaker.allows("other")  # one circuit per provider


def test_after_the_cooldown_one_probe_goes_through_and_decides() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown_s=30, clock=clock)
    breaker.failed("p")
    clock.now += 29.9
    assert not breaker.allows("p")
    clock.now += 0.2
    assert breaker.state("p") == "half_open"
    assert breaker.allows("p") and not breaker.allows("p")  # only one probe at a time
    breaker.failed("p")  # the probe failed: open for another cooldown
    assert breaker.state("p") == "open"
    clock.now += 30
    assert breaker.allows("p")
    breaker.succeeded("p")
    assert breaker.state("p") == "closed" and breaker.allows("p") and breaker.allows("p")


def test_a_probe_that_ends_without_a_verdict_frees_the_slot() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown_s=5, clock=clock)
    breaker.failed("p")
    clock.now += 5
    assert breaker.allows("p")
    breaker.release_probe("p")  # e.g. the client left mid-probe
    assert breaker.allows("p")
