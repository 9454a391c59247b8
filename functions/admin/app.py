"""The admin API: issue, inspect, credit and revoke API keys (Bearer = the admin key)."""

from fastapi import Request, Response

from tollway.endpoints import create_key, credit_key, revoke_key, show_key
from tollway.http.admin import require_admin
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.replies import render
from tollway.http.requests import json_object

app = create_app("admin")


@app.post("/admin/keys")
async def issue_key(request: Request) -> Response:
    require_admin(request)
    return render(await create_key(await json_object(request)))


@app.get("/admin/keys/{key_id}")
async def key(key_id: str, request: Request) -> Response:
    require_admin(request)
    return render(await show_key(key_id))


@app.post("/admin/keys/{key_id}/credits")
async def add_credits(key_id: str, request: Request) -> Response:
    require_admin(request)
    return render(await credit_key(key_id, await json_object(request)))


@app.delete("/admin/keys/{key_id}", status_code=204)
async def revoke(key_id: str, request: Request) -> Response:
    require_admin(request)
    return render(await revoke_key(key_id))


handler = lambda_handler(app)
