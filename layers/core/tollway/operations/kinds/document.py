"""Document parsing as an operation: the upload waits in S3, the worker parses it locally (no
upstream) and stores the blocks as JSON. Priced per page (see `documents/pages.py`).

    order = DOCUMENT.order_upload(data, filename="big.pdf", content_type=None, webhook_url=None)
    order.reserve      # the page bound × the parse price; the charge is the pages actually parsed

A parse that fails is charged for the pages it got through (the error's `units_done`, recorded
with the failure by the worker): crafted documents that burn the parse budget are never free.
"""

from __future__ import annotations

import asyncio
import json
from typing import IO, Any

from tollway.catalog import ModelSpec, resolve
from tollway.catalog.job_models import PARSE_MODEL
from tollway.config import settings
from tollway.documents import DocumentLimits, parse_document
from tollway.documents.detect import detect_format
from tollway.documents.pages import billable_pages, page_bound
from tollway.errors import UpstreamError
from tollway.operations import results
from tollway.operations.kinds.base import Order
from tollway.operations.records import Operation
from tollway.providers.jobs import JobStatus
from tollway.wire.documents import parsed_document_body


def parse_spec() -> ModelSpec:
    spec = resolve(PARSE_MODEL, "document")
    assert spec is not None, "the catalog prices document parsing"
    return spec


def parse_limits() -> DocumentLimits:
    """The limits of a parse the gateway runs, in the request or in the worker."""
    return DocumentLimits(max_parse_seconds=settings().document_parse_s)


class DocumentKind:
    name = "document"
    endpoint = "documents.parse"
    result_stem = "document"

    def order(self, body: dict[str, Any]) -> Order:
        raise NotImplementedError("documents are ordered from their upload: order_upload")

    def order_upload(self, data: bytes, *, filename: str | None, content_type: str | None,
                     webhook_url: str | None) -> Order:
        """Detect the format (415 now, not in the worker) and reserve for the page bound."""
        detected = detect_format(data, filename=filename, content_type=content_type)
        spec = parse_spec()
        params = {"filename": filename, "content_type": content_type, "format": detected.format}
        return Order(kind=self.name, endpoint=self.endpoint, model=spec.id, provider=spec.provider,
                     reserve=spec.unit_cost(page_bound(data, detected.format)),
                     params={k: v for k, v in params.items() if v is not None}, webhook_url=webhook_url,
                     upload=data, upload_type=content_type or "application/octet-stream")

    def describe(self, op: Operation) -> dict[str, Any]:
        return {k: op.params[k] for k in ("filename", "format") if k in op.params}

    async def submit(self, op: Operation) -> JobStatus:
        data = await asyncio.to_thread(results.get_bytes, op.params["input_key"])
        document = await asyncio.to_thread(parse_document, data, filename=op.params.get("filename"),
                                           content_type=op.params.get("content_type"), limits=parse_limits())
        pages = billable_pages(document)
        body = json.dumps(parsed_document_body(document, pages), ensure_ascii=False, separators=(",", ":"))
        return JobStatus("succeeded", progress=100, content=body.encode(), content_type="application/json",
                         units=pages)

    async def poll(self, op: Operation) -> JobStatus:
        raise UpstreamError("a document is parsed in one step")

    async def download(self, op: Operation, sink: IO[bytes], max_bytes: int) -> str:
        raise UpstreamError("a document is parsed in one step")

    async def cancel(self, op: Operation) -> None:
        return None


DOCUMENT = DocumentKind()
