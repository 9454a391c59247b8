"""Webhooks: POST the finished operation to the client's URL, signed, retried, behind the SSRF guard.

Signature scheme (Stripe-style), so a receiver can verify that the gateway sent the body unchanged:

    Tollway-Signature: t=1767225600,v1=5f8c…(64 hex chars)
    Tollway-Webhook-Id: wh_3b1f…            (same on every retry: de-duplicate on it)

    v1 = hex(HMAC-SHA256(key=secret, msg=f"{t}.".encode() + raw_request_body))

The receiver recomputes v1 over the raw body bytes (before any JSON parsing), compares in constant
time, and rejects a `t` more than a few minutes from its clock (replays). The header may carry
several `v1=` entries while a secret is being rotated; any one matching is enough. In Python:

    >>> verify(secret, request.headers["Tollway-Signature"], await request.body())
    True

Delivery (`deliver`) connects to an address `check_destination` approved — never re-resolving the
name — sending the original Host header, and for https the host name as TLS SNI with the
certificate verified for that name. Redirects are not followed; response bodies are never read.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from tollway.errors import DestinationRefused
from tollway.operations.destination import UNRESOLVABLE, Resolver, check_destination, system_resolver

SIGNATURE_HEADER = "Tollway-Signature"
WEBHOOK_ID_HEADER = "Tollway-Webhook-Id"
USER_AGENT = "Tollway-Webhooks/1"
DEFAULT_TOLERANCE_S = 300

log = logging.getLogger("tollway.operations")


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The `Tollway-Signature` header value for this body at this time.

    >>> sign(b"whsec", 1767225600, b'{"id":"op_1"}')
    't=1767225600,v1=...'
    """
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: bytes, header: str, body: bytes, *, tolerance_s: int = DEFAULT_TOLERANCE_S,
           now: float | None = None) -> bool:
    """True if `header` is a valid signature of `body` made within `tolerance_s` of `now`."""
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).rpartition("v1=")[2]
    # compare_digest on every candidate, not any() short-circuiting on content: constant time per entry.
    matches = [hmac.compare_digest(expected.encode(), candidate.encode()) for candidate in candidates]
    return any(matches)


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: int  # HTTP requests sent (a refused destination sends none)
    status: int | None  # the last HTTP status received, if any
    webhook_id: str
    error: str | None = None  # why it was not delivered: refused, timeout, connection_error, http_<status>


def _retry_after(headers: Mapping[str, str], now: float) -> float | None:
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _backoff(attempt: int, base_delay_s: float, max_delay_s: float, rng: Callable[[], float]) -> float:
    """Full jitter: uniform in [0, min(max, base * 2^(attempt-1))], so retries from many gateways spread out."""
    return rng() * min(max_delay_s, base_delay_s * 2.0 ** (attempt - 1))


def _retryable(status: int) -> bool:
    return status == 429 or status == 408 or status >= 500


async def deliver(url: str, payload: Mapping[str, Any], secret: bytes, *, attempts: int = 5,
                  base_delay_s: float = 1.0, max_delay_s: float = 30, timeout_s: float = 10,
                  allow_private: bool = False, webhook_id: str | None = None,
                  resolver: Resolver = system_resolver,
                  sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                  rng: Callable[[], float] = random.random, clock: Callable[[], float] = time.time,
                  ssl_context: ssl.SSLContext | None = None) -> DeliveryResult:
    """POST `payload` as JSON to `url`, signed with `secret`, retrying with backoff.

    Retries on connection errors, timeouts, 408, 429 and 5xx (Retry-After honoured up to
    `max_delay_s`); any other status ends it. Never raises for the receiver's behaviour.

    >>> result = await deliver("https://hooks.example.com/t", {"id": "op_1"}, b"whsec", sleep=fake_sleep)
    """
    import httpx  # lazy: only the operation-finishing path delivers webhooks

    webhook_id = webhook_id or f"wh_{uuid.uuid4().hex}"
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    status: int | None = None
    error: str | None = None
    sent = 0
    # One client per delivery: its pool is keyed by IP, so a pooled TLS connection must never be
    # reused for another host name that happens to share the address. trust_env=False: a proxy
    # would resolve the name itself, around the guard.
    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout_s), follow_redirects=False, trust_env=False,
                                 verify=ssl_context or True) as client:
        for attempt in range(1, attempts + 1):
            delay: float | None = None
            try:
                destination = await asyncio.to_thread(check_destination, url, allow_private=allow_private,
                                                      resolver=resolver)
            except DestinationRefused as exc:
                if exc.code != UNRESOLVABLE:
                    log.warning("webhook %s refused by the SSRF guard", webhook_id)
                    return DeliveryResult(False, sent, status, webhook_id, "refused")
                error = "unresolvable"
            else:
                address = destination.addresses[(attempt - 1) % len(destination.addresses)]
                timestamp = int(clock())
                headers = {"host": destination.host_header, "content-type": "application/json",
                           "user-agent": USER_AGENT, SIGNATURE_HEADER: sign(secret, timestamp, body),
                           WEBHOOK_ID_HEADER: webhook_id}
                extensions = {"sni_hostname": destination.sni_hostname} if destination.sni_hostname else {}
                request = client.build_request("POST", destination.url_for(address), content=body,
                                               headers=headers, extensions=extensions)
                sent += 1
                try:
                    response = await client.send(request, stream=True)
                    await response.aclose()  # the body is the receiver's business: never read, never logged
                except httpx.TimeoutException:
                    error = "timeout"
                except httpx.TransportError:
                    error = "connection_error"
                else:
                    status = response.status_code
                    log.info("webhook %s to %s: attempt %d, status %d", webhook_id, destination.host,
                             attempt, status)
                    if 200 <= status < 300:
                        return DeliveryResult(True, sent, status, webhook_id)
                    error = f"http_{status}"
                    if not _retryable(status):
                        return DeliveryResult(False, sent, status, webhook_id, error)
                    delay = _retry_after(response.headers, clock())
            if attempt < attempts:
                wait = min(max_delay_s, delay) if delay is not None else _backoff(attempt, base_delay_s,
                                                                                 max_delay_s, rng)
                log.info("webhook %s: attempt %d failed (%s), retrying in %.1fs", webhook_id, attempt, error, wait)
                await sleep(wait)
    return DeliveryResult(False, sent, status, webhook_id, error)
