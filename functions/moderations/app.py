"""POST /v1/moderations (free, still admitted and recorded) and POST /v1/rerank (scope ai:generate)."""

from fastapi import Request, Response

from tollway.http.answers import json_call
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.endpoints.moderations import moderate
from tollway.endpoints.rerank import rerank

app = create_app("moderations")


@app.post("/v1/moderations")
async def create_moderation(request: Request) -> Response:
    return await json_call(request, moderate)


@app.post("/v1/rerank")
async def create_rerank(request: Request) -> Response:
    return await json_call(request, rerank)


handler = lambda_handler(app)
