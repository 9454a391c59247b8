"""What every media endpoint does around its upstream call: find the model and the adapter that can
serve it, admit and reserve, call, and hand the outcome to the HTTP edge.

    spec, embedder = await choose(key, "text-embedding-3-small", "embedding", EMBEDDINGS)
    result, meter = await metered_call(ref, spec, "embeddings", reserve, request_id, lambda: embedder.embed(body))
    await meter.settle(spec.cost(result.prompt_tokens, 0), prompt_tokens=result.prompt_tokens)
    return Answer(meter.headers, body=result.body)

A model or provider problem is told only to a valid key (401/403 first, as for chat), and
everything from admission on goes through routing/metered.py: the one money path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tollway.auth.keys import KeyRef
from tollway.catalog import ModelSpec, resolve
from tollway.catalog.spec import Kind
from tollway.errors import InvalidRequest, ModelNotFound, TollwayError
from tollway.providers.media_base import Capability
from tollway.providers.registry import adapter_for
from tollway.routing.metered import Call, Meter, admit_call, refuse_after_auth

SCOPE = "ai:generate"
T = TypeVar("T")
C = TypeVar("C")

_KIND_NAMES = {"embedding": "an embedding model", "image": "an image model", "speech": "a text-to-speech model",
               "transcription": "a transcription model", "sound": "a sound generation model",
               "moderation": "a moderation model", "rerank": "a rerank model", "chat": "a chat model"}


@dataclass
class Answer:
    """What the HTTP edge sends: JSON (`body`), bytes (`content`) or a byte stream (`chunks`)."""

    headers: dict[str, str]
    body: dict[str, Any] | None = None
    content: bytes | None = None
    content_type: str = "application/json"
    chunks: AsyncIterator[bytes] | None = None
    status: int = 200


async def choose(key: str, model: str, kind: Kind, capability: Capability[C]) -> tuple[ModelSpec, C]:
    spec = resolve(model, kind)
    if spec is None:
        raise await refuse_after_auth(key, SCOPE, ModelNotFound(
            f"The model {model!r} is not {_KIND_NAMES[kind]} served by this gateway", param="model"))
    try:
        return spec, adapter_for(spec.provider, capability)
    except TollwayError as exc:
        raise await refuse_after_auth(key, SCOPE, exc) from None


async def require(key: str, spec: ModelSpec, capability: str, what: str) -> None:
    """A listed model that cannot do `what` is refused before anything is reserved (unlisted ones are
    left to the upstream, which knows its new models better than the catalog)."""
    if spec.listed and capability not in spec.capabilities:
        raise await refuse_after_auth(key, SCOPE, InvalidRequest(
            f"{spec.id} does not support {what}", code="unsupported_model", param="model"))


async def metered_call(ref: KeyRef, spec: ModelSpec, endpoint: str, reserve: int, request_id: str,
                       work: Callable[[], Awaitable[T]]) -> tuple[T, Meter]:
    """Admit (reserving `reserve` µc) and run `work`; any failure in it refunds everything. The
    caller settles the returned meter with what was delivered."""
    meter = await admit_call(ref, Call(scope=SCOPE, endpoint=endpoint, model=spec.id, provider=spec.provider,
                                       reserve=reserve, request_id=request_id))
    async with meter.refund_on_error():
        result = await work()
    return result, meter
