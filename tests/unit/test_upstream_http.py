"""The HTTP plumbing keeps one client per event loop, and no more: the operations worker runs each
step in a loop of its own (asyncio.run), so a client must be forgotten with its loop."""

import asyncio

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.environment import changed_environment
from tests.fakes.server import ThreadedServer
from tollway.providers.http_upstream import UpstreamConfig, UpstreamHTTP


async def _ok(request: object) -> JSONResponse:
    return JSONResponse({"ok": True})


def test_each_event_loop_gets_its_own_client_and_dead_loops_keep_none() -> None:
    with ThreadedServer(Starlette(routes=[Route("/ping", _ok, methods=["POST"])])) as server, \
            changed_environment(PING_BASE_URL=server.url):
        http = UpstreamHTTP(UpstreamConfig("ping", None, "PING_BASE_URL", None))

        async def step() -> object:
            first, again = http.client(), http.client()
            assert first is again  # one pooled client per loop
            return await http.post_json("/ping", {})

        for _ in range(5):  # as the worker does: a fresh loop per step
            assert asyncio.run(step()) == {"ok": True}
        assert len(http._clients) == 1  # only the last loop's, and the next loop drops it
