"""Slow and hostile clients against `tollway serve`: each is answered with a 4xx or a clean close in
bounded time, and the gateway answers an ordinary request meanwhile.

`tollway serve` reads a request's whole body before the function sees it (as API Gateway does
deployed), within TOLLWAY_BODY_TIMEOUT_SECONDS (30; 2 here); a response nobody reads is abandoned
once it has waited TOLLWAY_SEND_TIMEOUT_SECONDS (30; 2 here) to be taken.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.served import ServedGateway

BODY_TIMEOUT_S = 2
SEND_TIMEOUT_S = 2


@pytest.fixture(scope="module")
def served() -> Iterator[ServedGateway]:
    env = {"TOLLWAY_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT_S), "TOLLWAY_SEND_TIMEOUT_SECONDS": str(SEND_TIMEOUT_S),
           "TOLLWAY_IP_RATE_LIMIT": "1000000", "TOLLWAY_ADMIN_KEY": "tw-admin-hostile"}
    gateway = ServedGateway(env=env).start(timeout_s=60)  # a loaded machine starts it slowly
    try:
        yield gateway
    finally:
        gateway.stop()


@pytest.fixture(scope="module")
def key(served: ServedGateway) -> str:
    return str(served.create_key(credits=100, rpm=1_000_000)["key"])


def _connect(served: ServedGateway) -> socket.socket:
    host, port = served.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _answer(sock: socket.socket, limit_s: float) -> bytes:
    """What the gateway sends until it closes the connection, its answer is complete (a
    Content-Length body) or `limit_s` passes."""
    sock.settimeout(limit_s)
    received = b""
    deadline = time.monotonic() + limit_s
    try:
        while time.monotonic() < deadline and not _complete(received):
            data = sock.recv(65536)
            if not data:
                break
            received += data
    except (TimeoutError, ConnectionResetError):
        pass
    return received


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(separator and length and len(body) >= int(length.group(1)))


def _served_meanwhile(served: ServedGateway, key: str) -> float:
    started = time.monotonic()
    response = httpx.post(f"{served.url}/v1/chat/completions", headers={"authorization": f"Bearer {key}"},
                          json={"model": "local/echo", "messages": [{"role": "user", "content": "still here?"}]},
                          timeout=10)
    assert response.status_code == 200, response.text
    return time.monotonic() - started


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def test_a_body_sent_a_byte_a_second_gets_a_408_in_bounded_time_while_others_are_served(
        served: ServedGateway, key: str) -> None:
    sock = _connect(served)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                 b"authorization: Bearer " + key.encode() + b"\r\ncontent-length: 1000\r\n\r\n")
    stop = threading.Event()

    def drip() -> None:
        while not stop.is_set():
            try:
                sock.sendall(b" ")
            except OSError:
                return
            stop.wait(0.5)

    started = time.monotonic()
    threading.Thread(target=drip, daemon=True).start()
    try:
        assert _served_meanwhile(served, key) < 2
        answer = _answer(sock, BODY_TIMEOUT_S + 8)
    finally:
        stop.set()
        sock.close()
    assert _status(answer) == 408, answer[:300]
    assert time.monotonic() - started < BODY_TIMEOUT_S + 5
    assert b'"code":"body_timeout"' in answer.replace(b" ", b"")


def test_a_stream_never_read_is_closed_in_bounded_time_while_others_are_served(served: ServedGateway, key: str) -> None:
    prompt = " ".join(["word"] * 100_000)  # echoed back as 100,000 chunks (~17 MB): more than socket buffers hold
    body = json.dumps({"model": "local/echo", "stream": True, "max_tokens": 100_000,
                       "messages": [{"role": "user", "content": prompt}]})
    sock = _connect(served)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                 b"authorization: Bearer " + key.encode() + b"\r\ncontent-length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body.encode())
    try:
        # The client reads nothing: once the socket's buffers are full the gateway's writes stall, and
        # after SEND_TIMEOUT_S it gives up (it says so in its log).
        deadline = time.monotonic() + 60
        while not any("its response is abandoned" in line for line in served.output):
            assert time.monotonic() < deadline, "the gateway kept waiting on a client that reads nothing"
            time.sleep(0.2)
        assert _served_meanwhile(served, key) < 2
        started = time.monotonic()
        answer = _answer(sock, 20)  # what was already buffered, then the close
    finally:
        sock.close()
    assert _status(answer) == 200 and time.monotonic() - started < 20
    assert not answer.rstrip().endswith(b"data: [DONE]")  # abandoned, not finished


def test_ten_thousand_headers_are_refused_and_others_are_served(served: ServedGateway, key: str) -> None:
    sock = _connect(served)
    headers = b"".join(b"x-h%d: %d\r\n" % (i, i) for i in range(10_000))
    with ThreadPoolExecutor(1) as pool:
        meanwhile = pool.submit(_served_meanwhile, served, key)
        try:
            sock.sendall(b"GET /v1/models HTTP/1.1\r\nhost: x\r\n" + headers + b"\r\n")
        except OSError:
            pass  # the gateway may close before reading them all: a clean close
        answer = _answer(sock, 10)
        sock.close()
        assert meanwhile.result() < 2
    assert answer == b"" or 400 <= _status(answer) < 500, answer[:300]


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_a_32_mb_json_array_is_a_413_before_it_is_read_whole(served: ServedGateway, key: str, chunked: bool) -> None:
    size = 32 * 1024 * 1024
    head = (b"POST /v1/embeddings HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer "
            + key.encode() + (b"\r\ntransfer-encoding: chunked" if chunked else b"\r\ncontent-length: %d" % size)
            + b"\r\n\r\n")
    sock = _connect(served)
    sock.sendall(head)
    piece = b"[" + b"1," * (512 * 1024 - 1) + b"1"  # ~1 MB of array per write
    sent = 0
    started = time.monotonic()
    try:
        while sent < size:
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
    except OSError:
        pass  # answered and closed before the client was done sending: the point
    answer = _answer(sock, 10)
    sock.close()
    assert _status(answer) == 413, answer[:300]
    assert time.monotonic() - started < 15
    assert _served_meanwhile(served, key) < 2


def test_deeply_nested_json_is_a_400_naming_the_depth(served: ServedGateway, key: str) -> None:
    depth = 200_000
    body = '{"model": "local/echo", "messages": ' + "[" * depth + "]" * depth + "}"
    response = httpx.post(f"{served.url}/v1/chat/completions", content=body, timeout=10,
                          headers={"authorization": f"Bearer {key}", "content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert "nest" in response.json()["error"]["message"]
    assert _served_meanwhile(served, key) < 2
