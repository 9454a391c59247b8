"""GET /v1/models and /v1/models/{id}: the models this gateway can serve (scope ai:read)."""

import anyio
from fastapi import Request
from fastapi.responses import JSONResponse

from tollway.auth.authenticate import authenticate
from tollway.catalog import listed_models, lookup
from tollway.errors import ModelNotFound
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.requests import api_key
from tollway.providers import configured_providers
from tollway.wire.models import model_details, model_summary

app = create_app("models")


@app.get("/v1/models")
async def list_models(request: Request) -> JSONResponse:
    await anyio.to_thread.run_sync(authenticate, api_key(request), "ai:read")
    usable = configured_providers()
    return JSONResponse({"object": "list",
                         "data": [model_summary(m) for m in listed_models() if m.provider in usable]})


@app.get("/v1/models/{model_id:path}")
async def retrieve_model(model_id: str, request: Request) -> JSONResponse:
    await anyio.to_thread.run_sync(authenticate, api_key(request), "ai:read")
    spec = lookup(model_id)
    if spec is None:
        raise ModelNotFound(f"The model {model_id!r} does not exist or is not served by this gateway",
                            param="model")
    return JSONResponse(model_details(spec, spec.provider in configured_providers()))


handler = lambda_handler(app)
