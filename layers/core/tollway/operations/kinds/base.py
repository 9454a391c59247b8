"""What an operation kind is: how a request becomes a priced order, and how its job is submitted,
polled, downloaded and cancelled. One small module per kind (video, music, document…).

    kind = operation_kind("video")
    order = kind.order(body)                 # validated and priced at the API edge (4xx here)
    status = await kind.submit(op)           # in the worker, then poll / download until done

Most kinds hand the job to an upstream provider (`UpstreamKind`); a kind that does the work itself
(document parsing) answers `submit` with the finished content.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from tollway.catalog import ModelSpec, served_as
from tollway.errors import InvalidRequest
from tollway.operations.records import Operation
from tollway.providers import job_upstream
from tollway.providers.jobs import JobRequest, JobStatus, JobUpstream
from tollway.wire.operations import JobRequestBody


@dataclass(frozen=True)
class Order:
    """A validated, priced request: everything needed to admit it and open its operation."""

    kind: str
    endpoint: str
    model: str  # the catalog's model id
    provider: str
    reserve: int  # micro-credits: the most the job can cost
    params: dict[str, Any] = field(default_factory=dict)  # what the worker needs, kept on the record
    webhook_url: str | None = None
    webhook_topic: str | None = None  # a topic the key registered: its URL becomes webhook_url at open
    upload: bytes | None = None  # an input file, kept in S3 for the worker
    upload_type: str = "application/octet-stream"


class Kind(Protocol):
    name: str
    endpoint: str
    result_stem: str  # the result's file name without extension: "video", "track", "document"

    def order(self, body: dict[str, Any]) -> Order: ...

    def describe(self, op: Operation) -> dict[str, Any]: ...

    async def submit(self, op: Operation) -> JobStatus: ...

    async def poll(self, op: Operation) -> JobStatus: ...

    async def download(self, op: Operation, sink: IO[bytes], max_bytes: int) -> str: ...

    async def cancel(self, op: Operation) -> None: ...


def result_name(stem: str, content_type: str) -> str:
    extension = {"video/mp4": ".mp4", "audio/mpeg": ".mp3", "application/json": ".json",
                 "text/plain; charset=utf-8": ".txt"}.get(content_type)
    return stem + (extension or mimetypes.guess_extension(content_type) or "")


class UpstreamKind:
    """A kind whose jobs run at an upstream provider, found by (kind, provider)."""

    name = ""
    endpoint = ""
    result_stem = ""

    def priced(self, request: JobRequestBody, own_fields: tuple[str, ...],
               own_params: Callable[[ModelSpec], tuple[int, dict[str, Any]]]) -> Order:
        """The order for `request`: a Replicate-style model takes the prompt and its own `input`
        (priced per job), any other model this kind's `own_fields` (units and params from `own_params`)."""
        spec = served_as(request.model, self.name)  # type: ignore[arg-type]
        job_upstream(self.name, spec.provider)  # 503 now, not when the job starts
        if spec.provider == "replicate":
            from tollway.providers.replicate import model_path

            model_path(spec.id)
            for name in own_fields:
                if getattr(request, name) is not None:
                    raise InvalidRequest(f"{name}: a Replicate-style model takes its own inputs in `input`",
                                         code="invalid_value", param=name)
            units, params = 1, {"prompt": request.prompt, "input": request.input or {}}
        else:
            if request.input is not None:
                raise InvalidRequest("input: only Replicate-style models take `input`", code="invalid_value",
                                     param="input")
            units, params = own_params(spec)
        return Order(kind=self.name, endpoint=self.endpoint, model=spec.id, provider=spec.provider,
                     reserve=spec.unit_cost(units), params=params, webhook_url=request.webhook_url)

    def upstream(self, op: Operation) -> JobUpstream:
        return job_upstream(self.name, op.provider)

    async def submit(self, op: Operation) -> JobStatus:
        return await self.upstream(op).submit(JobRequest(model=op.model, params=op.params))

    async def poll(self, op: Operation) -> JobStatus:
        assert op.upstream_id is not None
        return await self.upstream(op).poll(op.upstream_id)

    async def download(self, op: Operation, sink: IO[bytes], max_bytes: int) -> str:
        assert op.output_ref is not None
        return await self.upstream(op).download(op.output_ref, sink, max_bytes)

    async def cancel(self, op: Operation) -> None:
        if op.upstream_id:
            await self.upstream(op).cancel(op.upstream_id)
