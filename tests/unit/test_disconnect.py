"""Work the client no longer waits for is cancelled (its shielded clean-up still runs); work that
ends first leaves no watcher behind."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio

from tollway.http.disconnect import GONE, race_disconnect


def _receive(disconnect: asyncio.Event) -> Any:
    async def receive() -> dict[str, Any]:
        await disconnect.wait()
        return {"type": "http.disconnect"}

    return receive


def test_a_client_leaving_cancels_the_work_and_its_shielded_clean_up_still_runs() -> None:
    steps: list[str] = []

    async def main() -> object:
        gone = asyncio.Event()

        async def work() -> str:
            try:
                steps.append("started")
                asyncio.get_running_loop().call_later(0.01, gone.set)
                await anyio.sleep(10)
                return "answer"
            finally:
                with anyio.CancelScope(shield=True):
                    await anyio.sleep(0.01)  # a refund's store call
                    steps.append("refunded")

        return await race_disconnect(_receive(gone), work)

    assert asyncio.run(main()) is GONE
    assert steps == ["started", "refunded"]


def test_work_that_ends_first_returns_its_answer_and_leaves_no_task_running() -> None:
    async def main() -> tuple[str, int]:
        async def work() -> str:
            await anyio.sleep(0)
            return "answer"

        answer = await race_disconnect(_receive(asyncio.Event()), work)
        await asyncio.sleep(0)  # let the cancelled watcher finish
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        return answer, len(others)

    assert asyncio.run(main()) == ("answer", 0)


def test_a_failure_of_the_work_is_raised_as_itself() -> None:
    async def main() -> None:
        async def work() -> None:
            raise KeyError("boom")

        await race_disconnect(_receive(asyncio.Event()), work)

    try:
        asyncio.run(main())
    except KeyError as exc:
        assert exc.args == ("boom",)
    else:
        raise AssertionError("the failure was swallowed")


def test_a_cancellation_from_outside_is_not_taken_for_a_disconnect() -> None:
    async def main() -> None:
        async def work() -> None:
            await anyio.sleep(10)

        with anyio.move_on_after(0.01) as outer:
            await race_disconnect(_receive(asyncio.Event()), work)
            raise AssertionError("the outer deadline should have cancelled this")
        assert outer.cancelled_caught

    asyncio.run(main())
