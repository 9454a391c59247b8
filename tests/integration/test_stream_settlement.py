"""A stream is settled exactly once however it ends — even when the response is closed before its
first frame (a client that left between the answer's headers and its body), which runs no code of
an async generator at all."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio

from tests.conftest import flush_ledger
from tests.ledger_books import assert_conserved
from tollway.ledger import Bill, Call, Ending, admit_call, metered_stream
from tollway.ledger.money import to_micro


def test_a_stream_closed_before_its_first_frame_is_still_settled_and_releases_its_reservation(
        gateway, admin) -> None:
    key = admin.create_key(credits=1000)
    closed: list[bool] = []

    async def frames() -> AsyncIterator[bytes]:
        yield b"data: never read\n\n"

    async def close() -> None:
        closed.append(True)

    async def scenario(request_id: str) -> None:
        meter = await admit_call(key["key"], Call(scope="ai:generate", endpoint="chat.completions",
                                                  model="gpt-4o-mini", provider="openai", reserve=5_000,
                                                  request_id=request_id, stream=True))
        stream = metered_stream(meter, frames(), lambda ending: Bill(1_000 if ending is Ending.CLIENT_LEFT else 0),
                                close=close, failure_frame=None)
        await stream.aclose()  # as Starlette does when the client is gone before the body starts
        assert meter.settled

    for n in range(3):  # the first per request, the next ones against a lease
        anyio.run(scenario, f"req_unstarted{n:04d}")
    flush_ledger()
    records = admin.usage(key["id"])
    assert [r["status"] for r in records] == ["client_disconnected"] * 3
    assert [r["credits_micro"] for r in records] == [1_000] * 3 and closed == [True] * 3
    books = assert_conserved(key["id"], to_micro(1000))
    assert books.holds == sum(books.leases.values())  # no per-request hold left; what leases hold is theirs
