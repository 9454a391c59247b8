"""Pure ASGI middleware (no BaseHTTPMiddleware: it would buffer streams): a request id on every
request and response, and the body-size limit enforced before anything reads the body."""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tollway.config import settings
from tollway.errors import TollwayError, store_failure
from tollway.http.errors import UNEXPECTED_MESSAGE, describe_unexpected, error_json
from tollway.observability import flush_metrics_per_request, logger, metrics, record_request

log = logging.getLogger("tollway.http")


def new_request_id() -> str:
    """`req_` + the time in milliseconds (12 hex digits) + 12 random hex digits: sortable, unguessable,
    and it tells where its usage record is (usage/queries.py)."""
    return f"req_{int(time.time() * 1000):012x}{secrets.token_hex(6)}"


class RequestContext:
    def __init__(self, app: ASGIApp, too_large_hint: str = "") -> None:
        self.app = app
        # What a client with a body over the limit should do instead (said in the 413), per function.
        self.too_large_hint = too_large_hint
        # On Lambda no usage record may outlive the invocation that produced it (ledger/flush.py).
        self.flush_before_end = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope["tollway.request_id"] = request_id
        scope["tollway.too_large_hint"] = self.too_large_hint
        limit = settings().max_body_bytes

        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, scope["path"], request_id, too_large_message(limit, self.too_large_hint))
            return

        received = 0
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "headers": {}, "started": False}

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"], seen["started"] = message["status"], True
                seen["headers"] = {k: v for k, v in message.get("headers", [])
                                   if k in (b"x-credits-used", b"x-model-used")}
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            elif self.flush_before_end and message["type"] == "http.response.body" and not message.get("more_body"):
                # Lambda ends the invocation with the response: the client gets every byte first,
                # then what this request settled reaches the store, then the response ends.
                if message.get("body"):
                    await send({**message, "more_body": True})
                await _flush_invocation()
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except Exception as exc:  # noqa: BLE001 - nothing below us may log a trace or answer with one
            failure = store_failure(exc)  # DynamoDB, S3 or Step Functions failing: a 429 or 503 to retry
            if failure is not None:
                log.warning("store failure %s (request %s)", describe_unexpected(exc), request_id)
            else:
                log.error("unhandled %s (request %s)", describe_unexpected(exc), request_id)
            if seen["status"] == 500 and not seen["started"]:
                failure = failure or TollwayError(UNEXPECTED_MESSAGE)
                seen["status"] = failure.status
                await _send_json(send, failure.status, error_json(scope["path"], failure.status, failure.message,
                                                                  failure.type, failure.code), request_id,
                                 failure.headers)
        finally:
            _observe(scope, request_id, seen, (time.perf_counter() - started) * 1000)


async def _flush_invocation() -> None:
    import anyio

    from tollway.ledger.flush import flush_invocation

    with anyio.CancelScope(shield=True):
        try:
            await anyio.to_thread.run_sync(flush_invocation)
        except Exception as exc:  # noqa: BLE001 - the answer is out; the sweeper settles what could not be written
            log.error("could not flush the ledger at the end of the invocation: %s", type(exc).__name__)


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"body over {limit} bytes")
        self.limit = limit


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def too_large_message(limit: int, hint: str = "") -> str:
    return f"Request body is larger than the limit of {limit} bytes" + (f". {hint}" if hint else "")


async def _too_large(send: Send, path: str, request_id: str, message: str) -> None:
    await _send_json(send, 413, error_json(path, 413, message, "invalid_request_error", "request_too_large"),
                     request_id)


async def _send_json(send: Send, status: int, payload: dict[str, Any], request_id: str,
                     extra: dict[str, str] | None = None) -> None:
    body = json.dumps(payload).encode()
    headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                          (b"x-request-id", request_id.encode())]
    headers += [(name.encode(), value.encode()) for name, value in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _observe(scope: Scope, request_id: str, seen: dict[str, Any], latency_ms: float) -> None:
    """One structured log line and the request metrics; never lets observability fail a request."""
    status = int(seen["status"])
    headers = seen["headers"]
    model = headers.get(b"x-model-used", b"").decode() or None
    credits = headers.get(b"x-credits-used", b"").decode() or None
    try:
        logger().info("request", extra={"request_id": request_id, "method": scope.get("method"),
                                        "path": scope.get("path"), "status": status,
                                        "latency_ms": round(latency_ms, 1), "model": model, "credits": credits})
        record_request(str(scope.get("path")), status, latency_ms, credits, upstream_error=status in (502, 504))
        if flush_metrics_per_request():
            metrics().flush_metrics()
    except Exception:  # noqa: BLE001 - a log sink failure must not turn a served request into an error
        pass
