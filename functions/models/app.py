"""GET /infra/ai/models and /infra/ai/models/{id} (aliases /v1/models, /v1/models/{id}): the models this gateway can serve (scope ai:read)."""

from fastapi import Request, Response

from tollway.endpoints import list_models, retrieve_model
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.replies import caller, render

app = create_app("models")


@app.get("/infra/ai/models")
@app.get("/v1/models")
async def models(request: Request) -> Response:
    return render(await list_models(caller(request)))


@app.get("/infra/ai/models/{model_id:path}")
@app.get("/v1/models/{model_id:path}")
async def model(model_id: str, request: Request) -> Response:
    return render(await retrieve_model(caller(request), model_id))


handler = lambda_handler(app)
