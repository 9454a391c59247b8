"""The HTTP plumbing keeps one client per event loop, and no more: the operations worker runs each
step in a loop of its own (asyncio.run), so a client must be forgotten with its loop."""

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.environment import changed_environment
from tests.fakes.server import ThreadedServer
from tollway.errors import UpstreamError, UpstreamTimeout
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


# -- aiohttp under the same contract as httpx before it -------------------------------------------

def _raw_server(respond: Callable[[bytes], list[bytes | float]]) -> tuple[str, Callable[[], None]]:
    """A loopback HTTP server that answers each request with `respond(request head)`: byte strings
    are written as they are, floats are pauses (so a test controls how the answer is cut into reads)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    def answer(conn: socket.socket) -> None:
        with conn:
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    received = conn.recv(65536)
                    if not received:
                        return
                    head += received
                for part in respond(head):
                    if isinstance(part, float):
                        time.sleep(part)
                    else:
                        conn.sendall(part)
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def close() -> None:
        stop.set()
        thread.join(5)
        listener.close()

    return f"http://127.0.0.1:{listener.getsockname()[1]}", close


def _http(url: str, **env: str) -> tuple[UpstreamHTTP, Any]:
    context = changed_environment(RAW_BASE_URL=url + "/v1", RAW_API_KEY="sk-raw-secret", **env)
    context.__enter__()
    return UpstreamHTTP(UpstreamConfig.built_in("raw", "RAW", "https://unused.example")), context


def test_sse_lines_end_in_lf_crlf_or_cr_even_when_a_crlf_or_a_character_is_split_across_reads() -> None:
    euro = "€".encode()
    body = [b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n",
            b"data: a\r", 0.05, b"\ndata: b\r\r", 0.05, b"data: " + euro[:1], 0.05, euro[1:] + b"\n\nlast"]
    url, close = _raw_server(lambda head: body)
    http, env = _http(url)
    try:
        async def lines() -> list[str]:
            response = await http.open("GET", "/events")
            try:
                return [line async for line in response.aiter_lines()]
            finally:
                await response.aclose()

        assert asyncio.run(lines()) == ["data: a", "data: b", "", "data: €", "", "last"]
    finally:
        env.__exit__(None, None, None)
        close()


def test_an_upstream_that_stops_answering_is_a_timeout_and_one_that_hangs_up_mid_stream_is_an_error() -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"

    def respond(request: bytes) -> list[bytes | float]:
        if b"/stall" in request:
            return [1.5]  # nothing at all, longer than the read timeout
        if b"/slow" in request:
            return [head, b"8\r\ndata: a\n\r\n", 1.5]  # starts, then stalls
        return [head, b"8\r\ndata: a\n\r\n"]  # starts, then closes without the last chunk

    url, close = _raw_server(respond)
    http, env = _http(url, TOLLWAY_UPSTREAM_TIMEOUT="0.5")
    try:
        async def read(path: str) -> list[str]:
            response = await http.open("GET", path)
            try:
                return [line async for line in response.aiter_lines()]
            finally:
                await response.aclose()

        for path, error, message in (("/stall", UpstreamTimeout, "did not answer in time"),
                                     ("/slow", UpstreamTimeout, "stalled mid-stream"),
                                     ("/broken", UpstreamError, "stream broke")):
            with pytest.raises(error) as raised:
                asyncio.run(read(path))
            assert type(raised.value) is error and message in raised.value.message, path
    finally:
        env.__exit__(None, None, None)
        close()


def test_a_redirect_is_not_followed_unless_asked_and_a_followed_one_leaves_the_key_behind() -> None:
    seen: list[tuple[str, str | None]] = []

    async def elsewhere(request: Request) -> JSONResponse:
        seen.append((request.url.path, request.headers.get("authorization")))
        return JSONResponse({"where": "elsewhere"})

    with ThreadedServer(Starlette(routes=[Route("/{rest:path}", elsewhere)])) as other:
        async def moved(request: Request) -> Response:
            seen.append((request.url.path, request.headers.get("authorization")))
            return Response(status_code=302, headers={"location": other.url + "/file"})

        with ThreadedServer(Starlette(routes=[Route("/{rest:path}", moved)])) as api:
            http, env = _http(api.url)
            try:
                with pytest.raises(UpstreamError):  # a 3xx answer is no success
                    asyncio.run(http.send("GET", "/result"))
                assert asyncio.run(http.send("GET", "/result", follow_redirects=True)).json() == {"where": "elsewhere"}
            finally:
                env.__exit__(None, None, None)
    assert seen == [("/v1/result", "Bearer sk-raw-secret"), ("/v1/result", "Bearer sk-raw-secret"), ("/file", None)]


def test_forms_and_files_are_sent_as_httpx_encoded_them() -> None:
    received: list[tuple[str, dict[str, Any]]] = []

    async def form(request: Request) -> JSONResponse:
        parsed = await request.form()
        upload = parsed["file"]
        received.append((request.headers["content-type"].split(";")[0],
                         {"model": parsed["model"], "file": (upload.filename, await upload.read(),  # type: ignore[union-attr]
                                                             upload.content_type)}))  # type: ignore[union-attr]
        return JSONResponse({"ok": True})

    with ThreadedServer(Starlette(routes=[Route("/v1/audio", form, methods=["POST"])])) as api:
        http, env = _http(api.url)
        try:
            asyncio.run(http.send("POST", "/audio", data={"model": "whisper-1"},
                                  files={"file": ("a.mp3", b"ID3 bytes", "audio/mpeg")}))
        finally:
            env.__exit__(None, None, None)
    assert received == [("multipart/form-data", {"model": "whisper-1", "file": ("a.mp3", b"ID3 bytes", "audio/mpeg")})]
