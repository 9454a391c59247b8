"""GET /infra/ai/models and /infra/ai/models/{id} (aliases /v1/models, /v1/models/{id}): the models this gateway can serve (scope ai:read)."""

from fastapi import Request, Response

from tollway.endpoints import list_models, retrieve_model
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.replies import caller, render

app = create_app("models")


@app.get("/v1/models")
async def models(request: Request) -> Response:
    return render(await list_models(caller(request)))


@app.get("/v1/models/{model_id:path}")
async def model(model_id: str, request: Request) -> Response:
    return render(await retrieve_model(caller(request), model_id))


# The canonical surface names every model `provider:model` and lists every detail.
@app.get("/infra/ai/models")
async def canonical_models(request: Request) -> Response:
    return render(await list_models(caller(request), canonical=True))


@app.get("/infra/ai/models/{model_id:path}")
async def canonical_model(model_id: str, request: Request) -> Response:
    return render(await retrieve_model(caller(request), model_id, canonical=True))


handler = lambda_handler(app)
