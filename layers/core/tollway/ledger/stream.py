"""A metered stream: forwarded frame by frame, bounded in time, checkpointed, settled exactly once
however it ends — the one place chat, messages and audio streams are charged.

    frames = metered_stream(meter, source_frames, bill, close=upstream.aclose,
                            failure_frame=lambda exc: encode_error(exc))
    return EventStreamResponse(frames, meter.headers)

`bill(ending)` says what the stream costs if it ends now, the way it ends (`Ending`); the source
updates whatever `bill` reads as its events pass. The stream:
- ends by `meter.ends_by` (its hold's deadline less a margin, and the function's time limit): an
  answer still running then is stopped with `failure_frame(RequestTimeLimit)` and charged for what
  it cost until then;
- every TOLLWAY_CHECKPOINT_SECONDS writes what it owes so far onto its hold, so that if the process
  dies the sweeper charges that and refunds only the rest;
- settles in a shielded `finally`: a client that leaves cancels the task, and the upstream must
  still be closed and the reservation settled.
An upstream failure mid-stream ends it with `failure_frame(error)`, or, when there is none (audio:
truncated bytes must not look complete), by re-raising so the response is aborted.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

import anyio

from tollway.config import settings
from tollway.errors import RequestTimeLimit, TollwayError
from tollway.ledger.meter import Meter


class Ending(Enum):
    FINISHED = "finished"
    UPSTREAM_FAILED = "upstream_failed"
    CLIENT_LEFT = "client_left"
    TIME_LIMIT = "time_limit"


@dataclass(frozen=True)
class Bill:
    micro: int
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class TokenStreamUsage:
    """What a token-priced stream has cost so far. The source sets `final` when the provider reports
    its usage, and the rest is read when asked: `reported_prompt` (input tokens a provider reports
    at the start: Anthropic's message_start, Gemini's usageMetadata) and `generated` (completion
    tokens counted from the text read from the upstream so far).

    The rules (README, Money): a finished stream pays the provider's reported usage; a stream the
    client left or the gateway stopped pays its whole prompt (reported, else the estimate) and the
    completion tokens generated until the upstream was stopped, never fewer than the client
    received; a stream the upstream broke pays only the completion tokens it delivered.
    """

    price: Callable[[int, int], int]  # (prompt tokens, completion tokens) → µc
    prompt_estimate: int
    generated: Callable[[], int]
    reported_prompt: Callable[[], int | None] = lambda: None
    final: tuple[int, int] | None = None

    def bill(self, ending: Ending) -> Bill:
        if self.final is not None and ending is not Ending.UPSTREAM_FAILED:
            prompt, completion = self.final
        else:
            completion = self.generated()
            reported = self.reported_prompt()
            prompt = 0 if ending is Ending.UPSTREAM_FAILED else (
                reported if reported is not None else self.prompt_estimate)
        return Bill(self.price(prompt, completion), prompt, completion)


_RECORDS = {Ending.CLIENT_LEFT: ("client_disconnected", 499, "client_disconnected"),
            Ending.TIME_LIMIT: ("time_limit", 504, RequestTimeLimit.code)}


def metered_stream(meter: Meter, frames: AsyncIterator[bytes], bill: Callable[[Ending], Bill], *,
                   close: Callable[[], Awaitable[None]],
                   failure_frame: Callable[[TollwayError], bytes] | None) -> AsyncIterator[bytes]:
    return _Settled(_metered(meter, frames, bill, close=close, failure_frame=failure_frame),
                    lambda: _end(meter, frames, bill, close, Ending.CLIENT_LEFT, None))


class _Settled:
    """The stream's iterator, which settles even when it is closed before its first frame (a client
    that left before the response began): an async generator that never started runs no `finally`."""

    def __init__(self, frames: AsyncGenerator[bytes, None], unstarted_end: Callable[[], Awaitable[None]]) -> None:
        self._frames = frames
        self._unstarted_end = unstarted_end
        self._started = False

    def __aiter__(self) -> _Settled:
        return self

    async def __anext__(self) -> bytes:
        self._started = True
        return await self._frames.__anext__()

    async def aclose(self) -> None:
        if not self._started:
            self._started = True
            await self._unstarted_end()
        await self._frames.aclose()


async def _metered(meter: Meter, frames: AsyncIterator[bytes], bill: Callable[[Ending], Bill], *,
                   close: Callable[[], Awaitable[None]],
                   failure_frame: Callable[[TollwayError], bytes] | None) -> AsyncGenerator[bytes, None]:
    ending, failure = Ending.CLIENT_LEFT, None
    every = settings().checkpoint_s
    next_checkpoint = time.monotonic() + every
    try:
        try:
            while True:
                left = meter.seconds_left()
                try:
                    if left <= 0:
                        raise TimeoutError
                    with anyio.fail_after(left):
                        frame = await frames.__anext__()
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    raise RequestTimeLimit("The answer ran longer than this gateway lets one request run; "
                                           "it was stopped and charged for what was generated") from None
                yield frame
                if time.monotonic() >= next_checkpoint:
                    await meter.checkpoint(bill(Ending.CLIENT_LEFT).micro)
                    next_checkpoint = time.monotonic() + every
        except RequestTimeLimit as exc:
            ending, failure = Ending.TIME_LIMIT, exc
        except TollwayError as exc:
            ending, failure = Ending.UPSTREAM_FAILED, exc
        else:
            ending = Ending.FINISHED
        if failure is not None:
            if failure_frame is None:
                raise failure
            yield failure_frame(failure)
    finally:
        await _end(meter, frames, bill, close, ending, failure)


async def _end(meter: Meter, frames: AsyncIterator[bytes], bill: Callable[[Ending], Bill],
               close: Callable[[], Awaitable[None]], ending: Ending, failure: TollwayError | None) -> None:
    """Close the upstream and settle, shielded: a client that leaves cancels the task, and the upstream
    must still be closed and the reservation settled — once."""
    with anyio.CancelScope(shield=True):
        if meter.settled:
            return
        await close()
        await _finalize(frames)
        await _settle(meter, bill(ending), ending, failure)


async def _finalize(frames: AsyncIterator[bytes]) -> None:
    """Run the source's own clean-up now (it may be suspended at a yield), not at garbage collection."""
    close = getattr(frames, "aclose", None)
    if close is not None:
        try:
            await close()
        except RuntimeError:  # still running: it is unwinding from the very exception we handle
            pass


async def _settle(meter: Meter, owed: Bill, ending: Ending, failure: TollwayError | None) -> None:
    tokens = {"prompt_tokens": owed.prompt_tokens, "completion_tokens": owed.completion_tokens}
    if ending is Ending.FINISHED:
        await meter.settle(owed.micro, **tokens)
        return
    if ending is Ending.UPSTREAM_FAILED:
        assert failure is not None
        status, http_status, code = "upstream_error", failure.status, failure.code
    else:
        status, http_status, code = _RECORDS[ending]
    await meter.refund(status, http_status, code, charge=owed.micro, **tokens)
