"""Try the models of a chain in order until one answers: retries on the same provider with backoff,
the circuit breaker skipping providers that keep failing, one deadline over all of it.

    answer = await first_answer(candidates, call, deadline=time.monotonic() + 150)
    answer.spec, answer.result, answer.depth      # depth 0: the requested model answered

`call(candidate, remaining_s)` must raise a TollwayError for an upstream failure and return only
once the answer's first byte is in hand (for streams: the first event), so nothing has reached
the client when a failure moves on to the next model.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import anyio

from tollway.catalog import ModelSpec
from tollway.config import settings
from tollway.errors import ProviderUnavailable, TollwayError, UpstreamTimeout
from tollway.providers import ChatProvider
from tollway.routing.breaker import CircuitBreaker, breakers
from tollway.routing.retry import RetryPolicy, retryable

T = TypeVar("T")


@dataclass(frozen=True)
class Candidate:
    spec: ModelSpec
    provider: ChatProvider
    position: int = 0  # place in the requested chain: 0 is the model the client named


@dataclass(frozen=True)
class Answer(Generic[T]):
    candidate: Candidate
    result: T

    @property
    def depth(self) -> int:
        """How far down the chain the answer came from (0: the model the client named)."""
        return self.candidate.position

    @property
    def spec(self) -> ModelSpec:
        return self.candidate.spec


async def first_answer(candidates: Sequence[Candidate], call: Callable[[Candidate, float], Awaitable[T]], *,
                       deadline: float, policy: RetryPolicy | None = None,
                       breaker: CircuitBreaker | None = None) -> Answer[T]:
    policy = policy or RetryPolicy(attempts=settings().retry_attempts)
    breaker = breaker or breakers()
    last_error: TollwayError | None = None
    for candidate in candidates:
        name = candidate.provider.name
        if not breaker.allows(name):
            continue
        attempt = 0
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise last_error or UpstreamTimeout("No model answered before the request's deadline")
                try:
                    result = await call(candidate, remaining)
                except TollwayError as exc:
                    if not retryable(exc):
                        breaker.succeeded(name)  # the provider answered: the request was the problem
                        raise
                    breaker.failed(name)
                    last_error = exc
                    attempt += 1
                    delay = policy.delay_before(attempt, exc.headers.get("retry-after"), remaining)
                    if delay is None or breaker.state(name) == "open":
                        break  # on to the next model
                    await anyio.sleep(delay)
                    continue
                breaker.succeeded(name)
                return Answer(candidate, result)
        finally:
            breaker.release_probe(name)
    if last_error is not None:
        raise last_error
    names = ", ".join(sorted({c.provider.name for c in candidates}))
    raise ProviderUnavailable(f"{names} failed repeatedly and is paused; retry in a few seconds",
                              headers={"retry-after": str(int(breaker.cooldown_s))})
