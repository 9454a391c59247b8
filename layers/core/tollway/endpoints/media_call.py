"""What every media endpoint does around its upstream call: find the model and the adapter that can
serve it, admit and reserve, call; the endpoint settles and replies.

    spec, embedder = await choose(caller, "text-embedding-3-small", "embedding", EMBEDDINGS)
    result, meter = await metered_call(caller, spec, "embeddings", reserve, lambda: embedder.embed(body))
    await meter.settle(spec.cost(result.prompt_tokens, 0), prompt_tokens=result.prompt_tokens)
    return Reply(meter.headers, body=result.body)

A model or provider problem is told only to a valid key (401/403 first, as for chat), and
everything from admission on goes through ledger/meter.py: the one money path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

from tollway.auth.caller import Caller
from tollway.catalog import ModelSpec, require_capability, served_as
from tollway.catalog.spec import Kind
from tollway.errors import RequestTimeLimit, TollwayError
from tollway.ledger import Call, Meter, admit_call
from tollway.providers import adapter_for
from tollway.providers.media_base import Capability
from tollway.routing.defaults import default_model

__all__ = ["SCOPE", "choose", "default_model", "metered_call", "require"]

SCOPE = "ai:generate"
T = TypeVar("T")
C = TypeVar("C")


async def choose(caller: Caller, model: str | None, kind: Kind, capability: Capability[C]) -> tuple[ModelSpec, C]:
    """The model named (bare or `provider:model`), or with none the catalog's default for `kind`."""
    try:
        spec = served_as(model if model is not None else default_model(kind), kind)
        return spec, adapter_for(spec.provider, capability)
    except TollwayError as exc:
        raise await caller.refusal(SCOPE, exc) from None


async def require(caller: Caller, spec: ModelSpec, capability: str, what: str) -> None:
    """`catalog.require_capability`, told only to a valid key."""
    try:
        require_capability(spec, capability, what)
    except TollwayError as exc:
        raise await caller.refusal(SCOPE, exc) from None


async def metered_call(caller: Caller, spec: ModelSpec, endpoint: str, reserve: int,
                       work: Callable[[], Awaitable[T]]) -> tuple[T, Meter]:
    """Admit (reserving `reserve` µc) and run `work`; any failure in it refunds everything. The
    caller settles the returned meter with what was delivered."""
    meter = await admit_call(caller.ref, Call(scope=SCOPE, endpoint=endpoint, model=spec.id, provider=spec.provider,
                                              reserve=reserve, request_id=caller.request_id))
    async with meter.refund_on_error():
        try:
            with anyio.fail_after(max(meter.seconds_left(), 0)):
                result = await work()
        except TimeoutError:
            raise RequestTimeLimit(f"{spec.provider} did not answer within this gateway's time limit") from None
    return result, meter
