"""POST /infra/ai/moderations (free, still admitted and recorded) and POST /infra/ai/rerank, each also
at its /v1 alias (scope ai:generate)."""

from fastapi import Request, Response

from tollway.endpoints import create_rerank, moderate
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.replies import json_call
from tollway.http.openapi import declares, json_body
from tollway.wire.openai_moderations import ModerationCreateParams
from tollway.wire.rerank import RerankRequest

app = create_app("moderations")


@app.post("/infra/ai/moderations")
@app.post("/v1/moderations")
@declares(json_body(ModerationCreateParams))
async def create_moderation(request: Request) -> Response:
    return await json_call(request, moderate)


@app.post("/infra/ai/rerank")
@app.post("/v1/rerank")
@declares(json_body(RerankRequest))
async def rerank(request: Request) -> Response:
    return await json_call(request, create_rerank)


handler = lambda_handler(app)
