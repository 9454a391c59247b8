"""Documents: parse an upload (multipart or base64 JSON) into text blocks — in the request when it
is small, as an operation when it is large or asked to be async — and chunk text or blocks.

    reply = await parse_document(caller, fields, files)       # 200 with the blocks, or 202
    reply = await chunk_document(caller, {"text": "…", "max_chars": 1000})

The parse runs here, in a thread, bounded by its own budget: a client that leaves does not stop it,
so it pays one unit (see `_metered`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio

from tollway import documents
from tollway.auth.caller import Caller
from tollway.catalog import resolve
from tollway.catalog.job_models import CHUNK_MODEL
from tollway.config import settings
from tollway.documents.pages import billable_pages
from tollway.endpoints.reply import Reply
from tollway.endpoints.storage_inputs import with_storage_ref
from tollway.errors import InvalidRequest, NotFound, TollwayError
from tollway.ledger import Call, Meter, admit_call
from tollway.operations.delivery import split_delivery
from tollway.operations.kinds.document import DOCUMENT, parse_limits, parse_spec
from tollway.operations.lifecycle import GENERATE, open_operation
from tollway.operations.views import operation_json
from tollway.storage.files import StoredFile, read_file
from tollway.wire.documents import ChunkRequest, ParseDocumentRequest, ParseUploadOptions, parsed_document_body
from tollway.wire.media_types import Blob
from tollway.wire.validation import validate

T = TypeVar("T")


async def _upload(caller: Caller, fields: dict[str, Any],
                  files: dict[str, list[Blob]]) -> tuple[bytes, ParseUploadOptions]:
    if not files:
        body = validate(ParseDocumentRequest, fields)
        options = ParseUploadOptions.model_validate({"filename": body.filename, "content_type": body.content_type,
                                                     "async": body.async_, "webhook_url": body.webhook_url})
        if body.file_id is not None:
            stored = await _stored_file(caller, body.file_id)
            options.filename = options.filename or stored.filename
            options.content_type = options.content_type or stored.content_type
            return stored.data, options
        assert body.data is not None
        return body.data, options
    if set(files) != {"file"} or len(files["file"]) != 1:
        raise InvalidRequest("file: send the document as one multipart field named `file`", code="invalid_value",
                             param="file")
    options = validate(ParseUploadOptions, fields)
    (upload,) = files["file"]
    options.filename = options.filename or upload.filename
    options.content_type = options.content_type or upload.content_type
    return upload.data, options


async def _stored_file(caller: Caller, file_id: str) -> StoredFile:
    """A file of the Files API, for the key that owns it: the key is checked first, so whether a file
    exists is told only to its owner (another key's file is a 404 like a missing one)."""
    record = await caller.verified(GENERATE)
    try:
        return await anyio.to_thread.run_sync(read_file, record.id, file_id)
    except NotFound as exc:
        exc.param = "file_id"
        raise


async def _metered(meter: Meter, work: Callable[[], T], unit_cost: Callable[[int], int]) -> T:
    """Local work after admission: input it cannot handle (400/413) is recorded and refunded, but
    for the work done before it failed (`units_done`, priced by `unit_cost`)."""
    try:
        return await anyio.to_thread.run_sync(work)
    except TollwayError as exc:
        await meter.refund("invalid_input", exc.status, exc.code,
                           charge=unit_cost(exc.units_done))
        exc.headers = meter.headers | exc.headers
        raise
    except BaseException:
        # The client left; the parse goes on in its thread until it ends or its budget does: one unit.
        await meter.refund("client_disconnected", 499, "client_disconnected", charge=unit_cost(1))
        raise


async def parse_document(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    fields, delivery = split_delivery(fields)  # webhook_topic / result_destination: an operation too
    fields, files = await with_storage_ref(caller, fields, files, "file")
    data, options = await _upload(caller, fields, files)
    order = delivery.onto(DOCUMENT.order_upload(data, filename=options.filename, content_type=options.content_type,
                                                webhook_url=options.webhook_url))
    spec = parse_spec()
    large = order.reserve > spec.unit_cost(settings().document_sync_max_pages)
    if options.async_ or options.webhook_url or delivery.asked or large:
        op, headers = await open_operation(caller, order)
        return Reply(headers, body=operation_json(op), status=202)
    meter = await admit_call(caller.ref, Call(scope=GENERATE, endpoint=DOCUMENT.endpoint, model=spec.id,
                                              provider=spec.provider, reserve=order.reserve,
                                              request_id=caller.request_id))
    limits = parse_limits()

    def work() -> documents.ParsedDocument:
        return documents.parse_document(data, filename=options.filename, content_type=options.content_type,
                                        limits=limits)

    document = await _metered(meter, work, spec.unit_cost)
    pages = billable_pages(document)
    await meter.settle(spec.unit_cost(pages))
    return Reply(meter.headers, body=parsed_document_body(document, pages))


async def chunk_document(caller: Caller, raw: dict[str, Any]) -> Reply:
    body = validate(ChunkRequest, raw)
    spec = resolve(CHUNK_MODEL, "document")
    assert spec is not None, "the catalog prices chunking"
    tokens = body.input_tokens()
    meter = await admit_call(caller.ref, Call(scope=GENERATE, endpoint="documents.chunk", model=spec.id,
                                              provider=spec.provider, reserve=spec.cost(tokens, 0),
                                              request_id=caller.request_id))

    def work() -> list[documents.Chunk]:
        if body.blocks is not None:
            return documents.chunk_blocks(body.blocks, max_chars=body.max_chars, overlap_chars=body.overlap_chars)
        return documents.chunk_text(body.text or "", max_chars=body.max_chars, overlap_chars=body.overlap_chars)

    chunks = await _metered(meter, work, lambda done: 0)  # a refused input is free: nothing was chunked
    await meter.settle(spec.cost(tokens, 0), prompt_tokens=tokens)
    data = [{"object": "chunk", **c.model_dump()} for c in chunks]
    return Reply(meter.headers, body={"object": "list", "data": data, "max_chars": body.max_chars,
                                      "overlap_chars": body.overlap_chars})
