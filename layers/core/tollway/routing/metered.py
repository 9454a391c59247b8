"""Admission to settlement for any priced call — chat, embeddings, images, audio, operations.

    meter = await admit_call(key, Call(scope="ai:generate", endpoint="embeddings", model=spec.id,
                                       provider="openai", reserve=cost, request_id=rid))
    async with meter.refund_on_error():
        result = await provider.embed(body)
    await meter.settle(spec.cost(result.tokens, 0), prompt_tokens=result.tokens)
    return JSONResponse(result.body, headers=meter.headers)

One DynamoDB request before the upstream call (admission: key, scope, rate limit and reservation
in one conditional write) and one after (settlement with the usage record). A refusal at admission
(402, 429, 403) is recorded too, so an operator sees who is being turned away and why.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio

from tollway.auth.authenticate import authenticate
from tollway.auth.keys import KeyRef, parse_key
from tollway.errors import AuthenticationFailed, InsufficientCredits, PermissionDenied, RateLimited, TollwayError
from tollway.config import settings
from tollway.ledger.admission import Admission, Hold, admit
from tollway.ledger.money import format_credits
from tollway.ledger.settlement import settle
from tollway.usage.records import UsageRecord, record_refusal


@dataclass(frozen=True)
class Call:
    scope: str
    endpoint: str  # the usage record's name for the surface: "chat.completions", "embeddings", …
    model: str
    provider: str
    reserve: int  # worst-case cost in micro-credits
    request_id: str
    stream: bool = False
    hold_s: float | None = None  # how long the reservation may stay unsettled (default: settings)
    started: float = field(default_factory=time.monotonic)


def key_ref(key: str) -> KeyRef:
    ref = parse_key(key)
    if ref is None:
        raise AuthenticationFailed("Invalid API key")
    return ref


async def refuse_after_auth(key: str, scope: str, error: TollwayError) -> TollwayError:
    """A model or provider problem is told only to a valid key: 401/403 come first."""
    await anyio.to_thread.run_sync(authenticate, key, scope)
    return error


@dataclass
class Meter:
    """An admitted call holding its reservation until `settle` or `refund` releases it."""

    admission: Admission
    record: UsageRecord
    headers: dict[str, str]
    settled: bool = False

    async def settle(self, charge: int, *, prompt_tokens: int = 0, completion_tokens: int = 0) -> int:
        """Charge the real cost (capped at the reservation) and write the usage record."""
        self.record.prompt_tokens, self.record.completion_tokens = prompt_tokens, completion_tokens
        with anyio.CancelScope(shield=True):
            charged = await anyio.to_thread.run_sync(settle, self.admission, charge, self.record)
        self.settled = True
        self.headers["x-credits-used"] = format_credits(charged)
        return charged

    async def refund(self, status: str, http_status: int, code: str | None,
                     *, completion_tokens: int = 0, charge: int = 0) -> int:
        """The call ended abnormally: charge only `charge` (what was delivered) and refund the rest."""
        self.record.status, self.record.http_status, self.record.error_code = status, http_status, code
        return await self.settle(charge, completion_tokens=completion_tokens)

    def answered_by(self, model: str, provider: str, depth: int, requested: str) -> None:
        """Another model of the chain answered: the headers and the usage record say which, and why."""
        self.headers["x-model-used"] = model
        self.record.model, self.record.provider = model, provider
        if depth:
            self.headers["x-fallback-from"] = requested
            self.headers["x-fallback-depth"] = str(depth)
            self.record.fallback_from = requested

    @asynccontextmanager
    async def refund_on_error(self) -> AsyncIterator[None]:
        """Around the upstream call: any failure releases the whole reservation, exactly once."""
        try:
            yield
        except TollwayError as exc:
            await self.refund("upstream_error", exc.status, exc.code)
            exc.headers = self.headers | exc.headers
            raise
        except BaseException:
            # Cancelled (client gone, server stopping): the reservation must not stay held.
            await self.refund("client_disconnected", 499, "client_disconnected")
            raise


async def admit_call(key: str | KeyRef, call: Call) -> Meter:
    ref = key if isinstance(key, KeyRef) else key_ref(key)
    record = UsageRecord(request_id=call.request_id, key_id=ref.id, endpoint=call.endpoint, model=call.model,
                         provider=call.provider, stream=call.stream, started=call.started,
                         reserved_micro=call.reserve)
    try:
        hold = Hold(call.request_id, call.hold_s or settings().hold_s, call.endpoint, call.model)
        admission = await anyio.to_thread.run_sync(admit, ref, call.scope, call.reserve, time.time(), hold)
    except (InsufficientCredits, RateLimited, PermissionDenied) as exc:
        # The key is genuine (its hash matched): the refusal belongs in its history.
        record.status, record.http_status, record.error_code = "refused", exc.status, exc.code
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(record_refusal, record)
        exc.headers = {"x-model-used": call.model, "x-credits-used": "0"} | exc.headers
        raise
    headers = {"x-model-used": call.model} | admission.rate_headers()
    return Meter(admission, record, headers)
