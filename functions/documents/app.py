"""POST /v1/documents/parse (multipart or base64; large documents become operations) and
POST /v1/documents/chunk (scope ai:generate). Parsing runs here, with the layer's parsers."""

from fastapi import Request, Response

from tollway.http import documents
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler

app = create_app("documents")


@app.post("/v1/documents/parse")
async def parse_document(request: Request) -> Response:
    return await documents.parse(request)


@app.post("/v1/documents/chunk")
async def chunk_document(request: Request) -> Response:
    return await documents.chunk(request)


handler = lambda_handler(app)
