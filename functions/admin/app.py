"""The admin API (Bearer = the admin key): issue, inspect, credit and revoke API keys; show and credit
accounts; make invite codes for the console's sign-up; check every configured provider."""

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from tollway.endpoints import (create_invite, create_key, credit_account, credit_key, revoke_key, show_account,
                               show_key)
from tollway.http.admin import require_admin
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.replies import render
from tollway.http.requests import json_object
from tollway.http.openapi import declares, json_body
from tollway.wire.admin import CreateKeyRequest, CreditRequest
from tollway.wire.console import AccountCredit, InviteRequest

app = create_app("admin")


@app.post("/admin/keys")
@declares(json_body(CreateKeyRequest))
async def issue_key(request: Request) -> Response:
    require_admin(request)
    return render(await create_key(await json_object(request)))


@app.get("/admin/keys/{key_id}")
async def key(key_id: str, request: Request) -> Response:
    require_admin(request)
    return render(await show_key(key_id))


@app.post("/admin/keys/{key_id}/credits")
@declares(json_body(CreditRequest))
async def add_credits(key_id: str, request: Request) -> Response:
    require_admin(request)
    return render(await credit_key(key_id, await json_object(request)))


@app.get("/admin/health/providers")
async def provider_health(request: Request) -> JSONResponse:
    require_admin(request)
    from tollway.providers.health import check_providers

    providers = await check_providers()
    return JSONResponse({"ok": all(p["ok"] is not False for p in providers), "providers": providers},
                        headers={"cache-control": "no-store"})


@app.delete("/admin/keys/{key_id}", status_code=204)
async def revoke(key_id: str, request: Request) -> Response:
    require_admin(request)
    return render(await revoke_key(key_id))


@app.get("/admin/accounts/{account_id}")
async def account(account_id: str, request: Request) -> Response:
    require_admin(request)
    return render(await show_account(account_id))


@app.post("/admin/accounts/{account_id}/credits")
@declares(json_body(AccountCredit))
async def add_account_credits(account_id: str, request: Request) -> Response:
    require_admin(request)
    return render(await credit_account(account_id, await json_object(request)))


@app.post("/admin/invites")
@declares(json_body(InviteRequest))
async def invite(request: Request) -> Response:
    require_admin(request)
    return render(await create_invite(await json_object(request)))


handler = lambda_handler(app)
