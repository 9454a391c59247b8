"""Stop work the client no longer waits for.

    result = await until_disconnect(request, lambda: complete_chat(key, body, rid))

If the client closes the connection first, the work is cancelled (its clean-up — a refund —
runs shielded) and `ClientClosedRequest` is raised; nobody is left to read the answer. Safe on
every runtime we use: uvicorn reports `http.disconnect` when the socket closes, Mangum only
after the response has been sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
from fastapi import Request

from tollway.errors import ClientClosedRequest

T = TypeVar("T")


async def until_disconnect(request: Request, work: Callable[[], Awaitable[T]]) -> T:
    results: list[T] = []
    failure: Exception | None = None
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            while (await request.receive())["type"] != "http.disconnect":
                pass
            group.cancel_scope.cancel()

        group.start_soon(watch)
        try:
            results.append(await work())
        except Exception as exc:  # noqa: BLE001 - re-raised below, unwrapped from anyio's ExceptionGroup
            failure = exc
        finally:
            group.cancel_scope.cancel()
    if failure is not None:
        raise failure
    if not results:
        raise ClientClosedRequest("The client closed the connection before the answer was ready")
    return results[0]
