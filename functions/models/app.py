"""GET /v1/models: the models this gateway can serve right now (scope ai:read)."""

import anyio
from fastapi import Request
from fastapi.responses import JSONResponse

from tollway.auth.authenticate import authenticate
from tollway.catalog import listed_models
from tollway.catalog.spec import CREATED
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.requests import api_key
from tollway.providers import configured_providers

app = create_app("models")


@app.get("/v1/models")
async def list_models(request: Request) -> JSONResponse:
    await anyio.to_thread.run_sync(authenticate, api_key(request), "ai:read")
    usable = configured_providers()
    data = [{"id": m.id, "object": "model", "created": CREATED, "owned_by": m.provider}
            for m in listed_models() if m.provider in usable]
    return JSONResponse({"object": "list", "data": data})


handler = lambda_handler(app)
