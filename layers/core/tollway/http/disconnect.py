"""Stop work the client no longer waits for.

    result = await until_disconnect(request, lambda: complete_chat(key, body, rid))

If the client closes the connection first, the work is cancelled (its clean-up — a refund —
runs shielded) and `ClientClosedRequest` is raised; nobody is left to read the answer. Safe on
every runtime we use: uvicorn reports `http.disconnect` when the socket closes, Mangum only
after the response has been sent.

One watcher task per request and a cancel scope around the work, not a task group: a task group
costs several times more per request (its own scope, a wrapped child task, and a cancellation of
the child at the end whose message formats the task's repr), and the work needs none of it —
only to be cancelled, anyio-style (shielded clean-ups stay shielded), when the client is gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
from fastapi import Request
from starlette.types import Receive

from tollway.errors import ClientClosedRequest

T = TypeVar("T")


class _Gone:
    """What `race_disconnect` returns when the client left first."""


GONE = _Gone()


async def until_disconnect(request: Request, work: Callable[[], Awaitable[T]]) -> T:
    result = await race_disconnect(request.receive, work)
    if isinstance(result, _Gone):
        raise ClientClosedRequest("The client closed the connection before the answer was ready")
    return result


async def race_disconnect(receive: Receive, work: Callable[[], Awaitable[T]]) -> T | _Gone:
    """`work()`'s result, or GONE if the client disconnected first (the work was then cancelled).
    `receive` must have nothing left to deliver but the disconnect: call it once the body is read."""
    with anyio.CancelScope() as scope:
        watcher = asyncio.get_running_loop().create_task(_watch(receive, scope))
        try:
            return await work()
        finally:
            watcher.cancel()
    return GONE


async def _watch(receive: Receive, scope: anyio.CancelScope) -> None:
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    except Exception:  # noqa: BLE001 - a receive that fails can report no disconnect: stop watching
        return
    scope.cancel()
