"""The CPU time one parse may take, enforced cooperatively: the parsers call `tick()` in their loops
(per token, line, paragraph, PDF operator) and `check()` between pages.

A thread cannot be stopped from outside in Python, and the parse runs in one (the request's worker
thread, or the operations worker's), so the parse stops itself: the first tick past the deadline
raises, and so does every later one. That last part matters because pypdf swallows errors raised
while it reads a form XObject and carries on: the next operator's tick raises again. Between two
ticks runs only bounded work — one token, one line, one content stream parse of at most
`pdf_limits.MAX_STREAM_ELEMENTS` elements — so a parse overruns its budget by well under a second.

The clock is the thread's own CPU time (`time.thread_time`), read every `_EVERY` ticks: it measures
what the document costs the gateway, not how busy the machine is. The budget must be created in
the thread that parses.

    budget = ParseBudget(seconds=10)
    for token in tokens:
        budget.tick()          # raises PayloadTooLarge(code="document_too_complex") once over
"""

from __future__ import annotations

import time

from tollway.errors import PayloadTooLarge, TollwayError

_EVERY = 256  # ticks between two reads of the clock (a read costs about a microsecond)


def too_complex(seconds: float) -> PayloadTooLarge:
    return PayloadTooLarge(f"The document takes more than {seconds:g} s of processing to read; split it into "
                           "smaller files or simplify it.", code="document_too_complex")


class ParseBudget:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadline = time.thread_time() + seconds
        self._countdown = _EVERY
        self.refused: TollwayError | None = None

    def tick(self) -> None:
        if self.refused is not None:
            raise self.refused
        self._countdown -= 1
        if self._countdown <= 0:
            self._countdown = _EVERY
            self.check()

    def check(self) -> None:
        if self.refused is not None:
            raise self.refused
        if time.thread_time() > self._deadline:
            raise self.refuse(too_complex(self.seconds))

    def refuse(self, error: TollwayError) -> TollwayError:
        """Remember why the parse must stop, so every later tick says it again; the error to raise."""
        if self.refused is None:
            self.refused = error
        return self.refused
