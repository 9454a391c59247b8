"""`tollway serve` keeps an idle connection open longer than HTTP clients keep theirs (httpx, hence the
OpenAI and Anthropic SDKs: 5 s). With the server closing at 5 s too, a client reusing a connection
as the server closed it had its request reset (bench/soak.py saw it under load)."""

from __future__ import annotations

import socket
import time

from tests.served import ServedGateway

REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def read_answer(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    while len(body) < length:
        body += connection.recv(65536)
    return head


def test_a_connection_idle_longer_than_a_clients_keep_alive_still_answers() -> None:
    with ServedGateway() as served, socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(REQUEST)
        assert read_answer(connection).startswith(b"HTTP/1.1 200")
        time.sleep(6)  # past httpx's 5 s keep-alive expiry, and uvicorn's default keep-alive
        connection.sendall(REQUEST)
        assert read_answer(connection).startswith(b"HTTP/1.1 200")
