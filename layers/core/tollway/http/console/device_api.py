"""What the CLI calls without a session: device codes (both flows) and, with a key, who that key is
and what it used.

    POST /console/api/device/redeem     {code, device_name}  → a key for this device (201), once
    POST /console/api/device/authorize  {device_name}        → device_code, user_code, verification_uri…
    POST /console/api/device/token      {device_code}        → the key once approved; else a 400 whose
                                                               code is RFC 8628's: authorization_pending,
                                                               slow_down, access_denied, expired_token
    GET  /console/api/whoami            (Bearer key)          → the key, its account and credits
    GET  /console/api/whoami/usage?days=7|30 (Bearer key)     → the key's usage per day and per model

Codes can be guessed only a few times a minute per address and per code (`auth/attempts.py`).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tollway.auth import device_codes
from tollway.auth.attempts import count_attempt, forgive_attempt
from tollway.auth.authenticate import authenticate_fresh
from tollway.auth.store import KeyRecord
from tollway.errors import InvalidRequest
from tollway.endpoints.admin import account_balance, key_with_balance
from tollway.http.console import views
from tollway.http.console.api import body, run
from tollway.http.console.origin import client_ip, console_url, expected_origin
from tollway.http.openapi import json_body
from tollway.http.requests import api_key
from tollway.ledger.money import credits_json
from tollway.usage.store import records_of
from tollway.usage.summary import per_day, per_model, totals, window_start
from tollway.wire.console import DeviceAuthorization, DeviceToken, RedeemCode

router = APIRouter(prefix="/console/api")
REDEEM_PER_MINUTE = 5  # failed redemptions per address and per code
AUTHORIZE_PER_MINUTE = 10  # device codes one address may ask for
POLLS_PER_MINUTE = 30  # token polls per address (RFC 8628's 5 s interval allows 12 per code)


def issued(key: str, record: KeyRecord) -> dict[str, Any]:
    return views.key_view(record) | {"key": key, "account_id": record.account_id}


@router.post("/device/redeem", openapi_extra=json_body(RedeemCode))
async def redeem(request: Request) -> JSONResponse:
    form = await body(request, RedeemCode)

    def work() -> dict[str, Any]:
        buckets = [f"redeem-ip#{client_ip(request)}"]
        code = device_codes.normalize(form.code)
        if code is not None:
            buckets.append(f"redeem-code#{code}")
        for counted, bucket in enumerate(buckets):
            try:
                count_attempt(bucket, REDEEM_PER_MINUTE)
            except Exception:
                for earlier in buckets[:counted]:
                    forgive_attempt(earlier)  # refused before it was tried: only the bucket that was full counts
                raise
        answer = issued(*device_codes.redeem_code(form.code, form.device_name))
        for bucket in buckets:
            forgive_attempt(bucket)  # only wrong, expired and used codes use up the allowance
        return answer

    return JSONResponse(await run(work), status_code=201)


@router.post("/device/authorize", openapi_extra=json_body(DeviceAuthorization))
async def authorize(request: Request) -> JSONResponse:
    form = await body(request, DeviceAuthorization)

    def work() -> device_codes.DeviceGrant:
        count_attempt(f"authorize-ip#{client_ip(request)}", AUTHORIZE_PER_MINUTE)
        return device_codes.start_device_grant(form.device_name)

    grant = await run(work)
    page = expected_origin(request) + console_url(request, "/console/device")
    shown = device_codes.display(grant.user_code)
    return JSONResponse({"device_code": grant.device_code, "user_code": shown, "verification_uri": page,
                         "verification_uri_complete": f"{page}?code={shown}", "expires_in": grant.expires_in,
                         "interval": grant.interval})


@router.post("/device/token", openapi_extra=json_body(DeviceToken))
async def token(request: Request) -> JSONResponse:
    form = await body(request, DeviceToken)
    if form.grant_type != "urn:ietf:params:oauth:grant-type:device_code":
        raise InvalidRequest("grant_type must be urn:ietf:params:oauth:grant-type:device_code",
                             code="unsupported_grant_type", param="grant_type")

    def work() -> dict[str, Any]:
        count_attempt(f"token-ip#{client_ip(request)}", POLLS_PER_MINUTE)
        try:
            return issued(*device_codes.poll_device_grant(form.device_code))
        except device_codes.DeviceGrantState as state:
            raise InvalidRequest(state.description, code=state.error) from None

    return JSONResponse(await run(work))


@router.get("/whoami")
async def whoami(request: Request) -> JSONResponse:
    key = api_key(request)

    def work() -> dict[str, Any]:
        record = authenticate_fresh(key, "ai:read")
        if record.account_id:
            balance = account_balance(record.account_id)
            account: dict[str, Any] | None = {"id": record.account_id, "credits": credits_json(balance)}
        else:
            balance, account = key_with_balance(record.id).balance, None
        return {"key": views.key_view(record), "account": account, "credits": credits_json(balance)}

    return JSONResponse(await run(work))


@router.get("/whoami/usage")
async def whoami_usage(request: Request) -> JSONResponse:
    key = api_key(request)
    raw = request.query_params.get("days", "7")
    if raw not in ("7", "30"):
        raise InvalidRequest("days must be 7 or 30", code="invalid_value", param="days")
    days = int(raw)

    def work() -> dict[str, Any]:
        from tollway.ledger.flush import flush_all

        record = authenticate_fresh(key, "ai:read")
        flush_all()
        now = time.time()
        records = records_of(record.id, since=window_start(days, now))
        return {"key_id": record.id, "days": [views.day_view(d) for d in per_day(records, days, now)],
                "models": [views.model_total_view(m) for m in per_model(records)],
                "totals": views.model_total_view(totals(records))}

    return JSONResponse(await run(work))
