"""POST /infra/ai/embeddings and its alias /v1/embeddings (scope ai:generate): OpenAI's embeddings API, charged per input token."""

from fastapi import Request, Response

from tollway.endpoints import create_embeddings
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.replies import json_call
from tollway.http.openapi import declares, json_body
from tollway.wire.openai_embeddings import EmbeddingCreateParams

app = create_app("embeddings")


@app.direct_post("/infra/ai/embeddings")
@app.direct_post("/v1/embeddings")
@declares(json_body(EmbeddingCreateParams))
async def create_embedding(request: Request) -> Response:
    return await json_call(request, create_embeddings)


handler = lambda_handler(app)
