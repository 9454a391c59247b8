"""Run an ASGI app on a real loopback socket in a background thread, for the length of a test."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Self

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadedServer:
    def __init__(self, app: Any, port: int | None = None, **uvicorn_options: Any) -> None:
        """`uvicorn_options` go to uvicorn.Config, e.g. ssl_certfile/ssl_keyfile for an https server."""
        self.port = port or free_port()
        scheme = "https" if uvicorn_options.get("ssl_certfile") else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error",
                                access_log=False, lifespan="off", timeout_graceful_shutdown=1,
                                **uvicorn_options)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> ThreadedServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class AppServer:
    """A fake upstream's lifecycle: subclasses build `self.app`; `start()` serves it on loopback.

        fake = FakeReplicate().start()     # fake.url, fake.base_url (url + "/v1")
        fake.stop()
    """

    app: Any
    _server: ThreadedServer | None = None

    def start(self) -> Self:
        self._server = ThreadedServer(self.app).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return self._server.url

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
