"""A fast fake OpenAI-compatible upstream for benchmarks: plain asyncio, no framework.

    python bench/fake_upstream.py --port 9100 --chunks 20 --chunk-delay-ms 0
    # OPENAI_BASE_URL=http://127.0.0.1:9100/v1

POST /v1/chat/completions answers any model: JSON with `usage`, or with `"stream": true` an SSE
stream of a role chunk, N content chunks, a finish chunk, a usage chunk when the request asks for
it (`stream_options.include_usage`, as OpenAI does), then `data: [DONE]`. POST /v1/embeddings answers
one small vector per input with `usage`. GET /health answers 200.

Why hand-written HTTP/1.1 instead of uvicorn: the .venv's uvicorn parses with h11 (no httptools,
no uvloop), which would make the "direct" baseline measure the fake rather than the network path.
This server speaks only what an httpx client sends: Content-Length bodies, keep-alive, no
pipelining; responses use Content-Length or chunked transfer encoding (streams).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import signal
import time
from typing import Any

WORDS = [" " + w for w in "the quick brown fox jumps over the lazy dog while we measure".split()]
MAX_HEADER_BYTES = 64 * 1024
_ids = itertools.count(1)


class Upstream:
    """Response builders; `chunks` content chunks per reply (= completion tokens)."""

    def __init__(self, chunks: int, chunk_delay_s: float) -> None:
        self.chunks = chunks
        self.chunk_delay_s = chunk_delay_s

    def completion_tokens(self, request: dict[str, Any]) -> int:
        n = self.chunks
        for name in ("max_completion_tokens", "max_tokens"):
            limit = request.get(name)
            if isinstance(limit, int) and 0 < limit < n:
                n = limit
        return max(1, n)

    @staticmethod
    def prompt_tokens(request: dict[str, Any]) -> int:
        chars = sum(len(m.get("content") or "") for m in request.get("messages") or ()
                    if isinstance(m, dict) and isinstance(m.get("content"), str))
        return max(1, chars // 4) + 3 * len(request.get("messages") or ())

    def usage(self, request: dict[str, Any]) -> dict[str, int]:
        p, c = self.prompt_tokens(request), self.completion_tokens(request)
        return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}

    def completion(self, request: dict[str, Any]) -> bytes:
        n = self.completion_tokens(request)
        return json.dumps({
            "id": f"chatcmpl-bench{next(_ids)}", "object": "chat.completion", "created": int(time.time()),
            "model": request.get("model", "unknown"),
            "choices": [{"index": 0, "message": {"role": "assistant",
                                                 "content": "".join(WORDS[i % len(WORDS)] for i in range(n))},
                         "logprobs": None, "finish_reason": "stop" if n == self.chunks else "length"}],
            "usage": self.usage(request),
        }, separators=(",", ":")).encode()

    @staticmethod
    def embeddings(request: dict[str, Any]) -> bytes:
        given = request.get("input")
        inputs = [given] if isinstance(given, str) else list(given) if isinstance(given, list) else [""]
        size = request.get("dimensions") if isinstance(request.get("dimensions"), int) else 8
        tokens = sum(max(1, len(str(i)) // 4) for i in inputs)
        return json.dumps({"object": "list", "model": request.get("model", "unknown"),
                           "data": [{"object": "embedding", "index": n, "embedding": [0.125] * size}
                                    for n in range(len(inputs))],
                           "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}, separators=(",", ":")).encode()

    def stream_frames(self, request: dict[str, Any]) -> list[bytes]:
        n = self.completion_tokens(request)
        head = {"id": f"chatcmpl-bench{next(_ids)}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": request.get("model", "unknown")}
        options = request.get("stream_options")
        with_usage = isinstance(options, dict) and bool(options.get("include_usage"))

        def frame(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            return b"data: " + json.dumps({**head, "choices": choices, **extra},
                                          separators=(",", ":")).encode() + b"\n\n"

        def delta(d: dict[str, Any], finish: str | None = None) -> list[dict[str, Any]]:
            return [{"index": 0, "delta": d, "logprobs": None, "finish_reason": finish}]

        frames = [frame(delta({"role": "assistant", "content": ""}))]
        frames += [frame(delta({"content": WORDS[i % len(WORDS)]})) for i in range(n)]
        frames.append(frame(delta({}, "stop" if n == self.chunks else "length")))
        if with_usage:
            frames.append(frame([], usage=self.usage(request)))
        frames.append(b"data: [DONE]\n\n")
        return frames


def _head(status: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _json_response(status: str, body: bytes, keep_alive: bool) -> bytes:
    return _head(status, [("content-type", "application/json"), ("content-length", str(len(body))),
                          ("connection", "keep-alive" if keep_alive else "close")]) + body


async def _serve_connection(upstream: Upstream, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            try:
                raw = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            request_line, *header_lines = raw[:-4].decode("latin-1").split("\r\n")
            headers = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            method, path, _ = (request_line.split(" ", 2) + ["", ""])[:3]
            keep_alive = headers.get("connection", "").lower() != "close"
            if "chunked" in headers.get("transfer-encoding", "").lower():
                writer.write(_json_response("411 Length Required", b'{"error":{"message":"no chunked"}}', False))
                await writer.drain()
                return
            body = await reader.readexactly(int(headers.get("content-length") or 0))
            path = path.split("?", 1)[0]
            if method == "GET" and path in ("/health", "/v1/health"):
                writer.write(_json_response("200 OK", b'{"status":"ok"}', keep_alive))
            elif method == "POST" and path in ("/v1/embeddings", "/embeddings"):
                try:
                    request = json.loads(body)
                    assert isinstance(request, dict)
                except (ValueError, AssertionError):
                    writer.write(_json_response("400 Bad Request",
                                                b'{"error":{"message":"body must be a JSON object"}}', keep_alive))
                else:
                    writer.write(_json_response("200 OK", upstream.embeddings(request), keep_alive))
            elif method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
                try:
                    request = json.loads(body)
                    assert isinstance(request, dict)
                except (ValueError, AssertionError):
                    writer.write(_json_response("400 Bad Request",
                                                b'{"error":{"message":"body must be a JSON object"}}', keep_alive))
                else:
                    if request.get("stream"):
                        await _stream(upstream, request, writer, keep_alive)
                    else:
                        writer.write(_json_response("200 OK", upstream.completion(request), keep_alive))
            else:
                writer.write(_json_response("404 Not Found", b'{"error":{"message":"unknown route"}}', keep_alive))
            await writer.drain()
            if not keep_alive:
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def _stream(upstream: Upstream, request: dict[str, Any], writer: asyncio.StreamWriter,
                  keep_alive: bool) -> None:
    writer.write(_head("200 OK", [("content-type", "text/event-stream"), ("cache-control", "no-cache"),
                                  ("transfer-encoding", "chunked"),
                                  ("connection", "keep-alive" if keep_alive else "close")]))
    for i, frame in enumerate(upstream.stream_frames(request)):
        if upstream.chunk_delay_s and i:
            await writer.drain()
            await asyncio.sleep(upstream.chunk_delay_s)
        writer.write(b"%x\r\n%s\r\n" % (len(frame), frame))
    writer.write(b"0\r\n\r\n")


async def serve(host: str, port: int, upstream: Upstream) -> None:
    """Serve until SIGTERM/SIGINT. `await serve("127.0.0.1", 9100, Upstream(20, 0.0))`"""
    server = await asyncio.start_server(lambda r, w: _serve_connection(upstream, r, w), host, port,
                                        limit=MAX_HEADER_BYTES, backlog=1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"fake upstream listening on http://{host}:{port}/v1", flush=True)
    await stop.wait()
    # No wait_closed(): on 3.12 it waits for every keep-alive connection a client still holds;
    # asyncio.run cancels the connection tasks when this returns.
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--chunks", type=int, default=20, help="content chunks per reply")
    parser.add_argument("--chunk-delay-ms", type=float, default=0.0, help="pause between stream chunks")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the fake upstream listens on loopback only")
    asyncio.run(serve(args.host, args.port, Upstream(args.chunks, args.chunk_delay_ms / 1000.0)))


if __name__ == "__main__":
    main()
