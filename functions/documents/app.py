"""POST /infra/ai/documents/parse (multipart or base64; large documents become operations) and
POST /infra/ai/documents/chunk, each also at its /v1 alias (scope ai:generate). Parsing runs here,
with the layer's parsers."""

from fastapi import Request, Response

from tollway.endpoints import chunk_document, parse_document
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.multipart import form_or_json
from tollway.http.replies import caller, render
from tollway.http.requests import json_object
from tollway.http.openapi import declares, form_body, json_body
from tollway.wire.documents import ChunkRequest, ParseDocumentRequest, ParseUploadOptions

app = create_app("documents")


# Not cancelled when the client leaves: the parse goes on in its thread, and is charged one unit.
@app.post("/infra/ai/documents/parse")
@app.post("/v1/documents/parse")
@declares(form_body(ParseUploadOptions, ["file"], json_model=ParseDocumentRequest))
async def parse(request: Request) -> Response:
    who = caller(request)
    fields, files = await form_or_json(request)
    return render(await parse_document(who, fields, files))


@app.post("/infra/ai/documents/chunk")
@app.post("/v1/documents/chunk")
@declares(json_body(ChunkRequest))
async def chunk(request: Request) -> Response:
    who = caller(request)
    return render(await chunk_document(who, await json_object(request)))


handler = lambda_handler(app)
