"""The admin API: issue, inspect, credit and revoke API keys, and check every configured provider
(Bearer = the admin key)."""

import anyio
from fastapi import Request, Response
from fastapi.responses import JSONResponse

from tollway.auth import store
from tollway.http.admin import key_json, key_with_balance, micro_or_400, require_admin
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.requests import json_object
from tollway.ledger.money import credits_json
from tollway.wire.admin import CreateKeyRequest, CreditRequest
from tollway.wire.validation import validate

app = create_app("admin")


@app.post("/admin/keys")
async def create_key(request: Request) -> JSONResponse:
    require_admin(request)
    body = validate(CreateKeyRequest, await json_object(request))
    balance = micro_or_400(body.credits, "credits")
    key, record = await anyio.to_thread.run_sync(store.create_key, body.name, balance, body.rpm, tuple(body.scopes))
    return JSONResponse(key_json(record, key), status_code=201)


@app.get("/admin/keys/{key_id}")
async def show_key(key_id: str, request: Request) -> JSONResponse:
    require_admin(request)
    return JSONResponse(key_json(await anyio.to_thread.run_sync(key_with_balance, key_id)))


@app.post("/admin/keys/{key_id}/credits")
async def credit_key(key_id: str, request: Request) -> JSONResponse:
    require_admin(request)
    body = validate(CreditRequest, await json_object(request))
    await anyio.to_thread.run_sync(store.add_credits, key_id, micro_or_400(body.amount, "amount"))
    record = await anyio.to_thread.run_sync(key_with_balance, key_id)
    return JSONResponse({"id": key_id, "credits": credits_json(record.balance)})


@app.get("/admin/health/providers")
async def provider_health(request: Request) -> JSONResponse:
    require_admin(request)
    from tollway.providers.health import check_providers

    providers = await check_providers()
    return JSONResponse({"ok": all(p["ok"] is not False for p in providers), "providers": providers},
                        headers={"cache-control": "no-store"})


@app.delete("/admin/keys/{key_id}", status_code=204)
async def revoke_key(key_id: str, request: Request) -> Response:
    require_admin(request)
    await anyio.to_thread.run_sync(store.revoke_key, key_id)
    return Response(status_code=204)


handler = lambda_handler(app)
