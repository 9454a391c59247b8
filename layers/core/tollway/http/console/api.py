"""The console's JSON API (/console/api/…), called by its own pages.

Sign-up and sign-in are WebAuthn ceremonies in two steps (options, then the authenticator's answer);
everything else needs a live session, and every write the session's CSRF token (`guard.py`).
Errors are OpenAI-shaped, like every other route: {"error": {"message", "type", "code", "param"}}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from tollway.auth import account_keys, accounts, device_codes, passkeys, sessions
from tollway.auth.attempts import count_attempt
from tollway.auth.ceremonies import add_passkey_options, consume, sign_in_options, verify_registration, verify_sign_in
from tollway.auth.signup import begin_sign_up, complete_sign_up
from tollway.errors import InvalidRequest, NotFound
from tollway.endpoints.admin import account_balance, micro_or_400
from tollway.http.console import activity, views
from tollway.http.console.guard import (SignedIn, clear_session_cookie, require_session, require_write, same_origin,
                                        session_cookie, set_session_cookie, signed_in)
from tollway.http.console.origin import client_ip, console_url, relying_party
from tollway.http.openapi import json_body
from tollway.http.requests import json_object
from tollway.ledger.money import credits_json
from tollway.usage.summary import per_day, per_model, totals
from tollway.wire.console import CeremonyAnswer, CreateKeyBody, DeviceApproval, KeyTermsBody, SignUpStart
from tollway.wire.validation import validate

router = APIRouter(prefix="/console/api")
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
# WebAuthn prompts one address may ask for in a minute (each stores a challenge for 5 minutes).
CEREMONY_ATTEMPTS = 30
APPROVALS_PER_MINUTE = 10


async def run(work: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(work)


async def body(request: Request, model: type[M]) -> M:
    return validate(model, await json_object(request))


def _cap(value: Any) -> int | None:
    return micro_or_400(value, "cap") if value is not None else None


def _terms(form: KeyTermsBody) -> device_codes.KeyTerms:
    return device_codes.KeyTerms(scopes=tuple(form.scopes), rpm=form.rpm, cap_micro=_cap(form.cap))


def _signed_in_answer(request: Request, user_id: str, name: str) -> JSONResponse:
    """A new session (and any session this browser had ended): the cookie rotates at every sign-in."""
    sessions.end_session(session_cookie(request))
    cookie, _ = sessions.create_session(user_id, ip=client_ip(request), user_agent=request.headers.get("user-agent", ""))
    response = JSONResponse({"user": {"id": user_id, "name": name}, "redirect": console_url(request, "/console/keys")})
    set_session_cookie(response, request, cookie)
    return response


# -- Ceremonies ------------------------------------------------------------------------------------


@router.post("/sign-up/options", openapi_extra=json_body(SignUpStart))
async def sign_up_options(request: Request) -> JSONResponse:
    same_origin(request)
    form = await body(request, SignUpStart)

    def work() -> dict[str, Any]:
        count_attempt(f"ceremony-ip#{client_ip(request)}", CEREMONY_ATTEMPTS)
        return begin_sign_up(relying_party(request), form.name, form.invite)

    return JSONResponse(await run(work))


@router.post("/sign-up/verify", openapi_extra=json_body(CeremonyAnswer))
async def sign_up_verify(request: Request) -> JSONResponse:
    same_origin(request)
    answer = await body(request, CeremonyAnswer)

    def work() -> JSONResponse:
        ceremony = consume(answer.ceremony, "sign-up")
        passkey = verify_registration(relying_party(request), ceremony, answer.credential,
                                      answer.passkey_name or "First passkey")
        user = complete_sign_up(ceremony, passkey)
        return _signed_in_answer(request, user.id, user.name)

    return await run(work)


@router.post("/sign-in/options")
async def sign_in_start(request: Request) -> JSONResponse:
    same_origin(request)

    def work() -> dict[str, Any]:
        count_attempt(f"ceremony-ip#{client_ip(request)}", CEREMONY_ATTEMPTS)
        return sign_in_options(relying_party(request))

    return JSONResponse(await run(work))


@router.post("/sign-in/verify", openapi_extra=json_body(CeremonyAnswer))
async def sign_in_verify(request: Request) -> JSONResponse:
    same_origin(request)
    answer = await body(request, CeremonyAnswer)

    def work() -> JSONResponse:
        user, _ = verify_sign_in(relying_party(request), consume(answer.ceremony, "sign-in"), answer.credential)
        return _signed_in_answer(request, user.id, user.name)

    return await run(work)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """Ends a live session (with its CSRF token, so no other site can sign a user out); a cookie whose
    session already ended is just cleared."""
    same_origin(request)
    if await run(lambda: signed_in(request)) is not None:
        await run(lambda: require_write(request))
        await run(lambda: sessions.end_session(session_cookie(request)))
    response = JSONResponse({"redirect": console_url(request, "/console/sign-in")})
    clear_session_cookie(response, request)
    return response


# -- Sessions and passkeys -------------------------------------------------------------------------


@router.get("/sessions")
async def list_sessions(request: Request) -> JSONResponse:
    def work() -> list[dict[str, Any]]:
        who = require_session(request)
        return [views.session_view(s, who.session) for s in sessions.sessions_of(who.user.id)]

    return JSONResponse({"data": await run(work)})


@router.delete("/sessions/{session_id}")
async def revoke_session(session_id: str, request: Request) -> Response:
    who = await run(lambda: require_write(request))
    if not await run(lambda: sessions.revoke(who.user.id, session_id)):
        raise NotFound("No such session", code="session_not_found")
    response = Response(status_code=204)
    if session_id == who.session.id:
        clear_session_cookie(response, request)
    return response


@router.post("/sessions/revoke-all")
async def revoke_all_sessions(request: Request) -> JSONResponse:
    who = await run(lambda: require_write(request))
    ended = await run(lambda: sessions.revoke_all(who.user.id))
    response = JSONResponse({"ended": ended, "redirect": console_url(request, "/console/sign-in")})
    clear_session_cookie(response, request)
    return response


@router.get("/passkeys")
async def list_passkeys(request: Request) -> JSONResponse:
    def work() -> list[dict[str, Any]]:
        return [views.passkey_view(p) for p in passkeys.passkeys_of(require_session(request).user.id)]

    return JSONResponse({"data": await run(work)})


@router.post("/passkeys/options")
async def passkey_options(request: Request) -> JSONResponse:
    def work() -> dict[str, Any]:
        who = require_write(request)
        existing = [p.credential_id for p in passkeys.passkeys_of(who.user.id)]
        return add_passkey_options(relying_party(request), who.user, existing)

    return JSONResponse(await run(work))


@router.post("/passkeys", openapi_extra=json_body(CeremonyAnswer))
async def add_passkey(request: Request) -> JSONResponse:
    who = await run(lambda: require_write(request))
    answer = await body(request, CeremonyAnswer)

    def work() -> dict[str, Any]:
        ceremony = consume(answer.ceremony, "add-passkey")
        if ceremony.user_id != who.user.id:
            raise InvalidRequest("This passkey prompt belongs to another session", code="ceremony_expired",
                                 param="ceremony")
        passkey = verify_registration(relying_party(request), ceremony, answer.credential,
                                      answer.passkey_name or "Passkey")
        passkeys.add_passkey(passkey)
        return views.passkey_view(passkey)

    return JSONResponse(await run(work), status_code=201)


@router.delete("/passkeys/{credential_id}")
async def remove_passkey(credential_id: str, request: Request) -> Response:
    who = await run(lambda: require_write(request))
    if len(credential_id) > 1400:
        raise NotFound("No such passkey", code="passkey_not_found")
    await run(lambda: passkeys.remove_passkey(who.user.id, credential_id))
    return Response(status_code=204)


# -- Account, keys, usage, operations --------------------------------------------------------------


def account_json(who: SignedIn) -> dict[str, Any]:
    account = accounts.read_account(who.user.account_id)
    return {"user": {"id": who.user.id, "name": who.user.name, "created_at": who.user.created_at},
            "account": {"id": account.id, "created_at": account.created_at,
                        "credits": credits_json(account_balance(account.id))},
            "grants": [{"at": g.at, "amount": credits_json(g.amount), "note": g.note}
                       for g in accounts.grants_of(account.id)]}


@router.get("/account")
async def show_account(request: Request) -> JSONResponse:
    return JSONResponse(await run(lambda: account_json(require_session(request))))


@router.get("/keys")
async def list_keys(request: Request) -> JSONResponse:
    def work() -> list[dict[str, Any]]:
        return [views.key_view(k) for k in account_keys.keys_of(require_session(request).user.account_id)]

    return JSONResponse({"data": await run(work)})


@router.post("/keys", openapi_extra=json_body(CreateKeyBody))
async def create_key(request: Request) -> JSONResponse:
    who = await run(lambda: require_write(request))
    form = await body(request, CreateKeyBody)
    key, record = await run(lambda: account_keys.create_account_key(
        who.user.account_id, name=form.name, scopes=tuple(form.scopes), rpm=form.rpm, cap_micro=_cap(form.cap)))
    return JSONResponse(views.key_view(record) | {"key": key}, status_code=201)


@router.delete("/keys/{key_id}")
async def revoke_key(key_id: str, request: Request) -> Response:
    who = await run(lambda: require_write(request))
    await run(lambda: account_keys.revoke_owned(who.user.account_id, key_id))
    return Response(status_code=204)


def _days(request: Request) -> int:
    raw = request.query_params.get("days", "7")
    if raw not in ("7", "30"):
        raise InvalidRequest("days must be 7 or 30", code="invalid_value", param="days")
    return int(raw)


@router.get("/usage")
async def usage(request: Request) -> JSONResponse:
    days = _days(request)

    def work() -> dict[str, Any]:
        import time

        who = require_session(request)
        now = time.time()
        records = activity.account_records(account_keys.keys_of(who.user.account_id), days, now)
        return {"days": [views.day_view(d) for d in per_day(records, days, now)],
                "models": [views.model_total_view(m) for m in per_model(records)],
                "totals": views.model_total_view(totals(records))}

    return JSONResponse(await run(work))


@router.get("/requests")
async def request_log(request: Request) -> JSONResponse:
    raw_limit = request.query_params.get("limit", "50")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 500:
        raise InvalidRequest("limit must be a whole number from 1 to 500", code="invalid_value", param="limit")

    def work() -> list[dict[str, Any]]:
        keys = account_keys.keys_of(require_session(request).user.account_id)
        names = {k.id: k.name for k in keys}
        return [views.record_view(r, names) for r in activity.account_records(keys)[: int(raw_limit)]]

    return JSONResponse({"data": await run(work)})


@router.get("/requests/{request_id}")
async def one_request(request_id: str, request: Request) -> JSONResponse:
    def work() -> dict[str, Any]:
        keys = account_keys.keys_of(require_session(request).user.account_id)
        found = activity.find_request(keys, request_id)
        if found is None:
            raise NotFound(f"No request {request_id[:64]!r} in your account's last 30 days", code="request_not_found")
        return views.record_view(found, {k.id: k.name for k in keys})

    return JSONResponse(await run(work))


@router.get("/operations")
async def list_operations(request: Request) -> JSONResponse:
    def work() -> list[dict[str, Any]]:
        keys = account_keys.keys_of(require_session(request).user.account_id)
        names = {k.id: k.name for k in keys}
        return [views.operation_view(op, names) for op in activity.account_operations(keys)]

    return JSONResponse({"data": await run(work)})


@router.post("/operations/{operation_id}/cancel")
async def cancel_operation(operation_id: str, request: Request) -> JSONResponse:
    from tollway.operations import records
    from tollway.operations.lifecycle import cancel_loaded

    who = await run(lambda: require_write(request))

    def owned() -> tuple[Any, dict[str, str]]:
        if not records.is_operation_id(operation_id):
            raise records.missing(operation_id)
        keys = {k.id: k.name for k in account_keys.keys_of(who.user.account_id)}
        op = records.load(operation_id)
        if op.key_id not in keys:
            raise records.missing(operation_id)  # another account's operation is answered as a missing one
        return op, keys

    op, names = await run(owned)
    ended = await cancel_loaded(op)
    return JSONResponse(await run(lambda: views.operation_view(ended, names)))


# -- Device codes ----------------------------------------------------------------------------------


@router.post("/device-codes", openapi_extra=json_body(KeyTermsBody))
async def make_device_code(request: Request) -> JSONResponse:
    who = await run(lambda: require_write(request))
    form = await body(request, KeyTermsBody)
    code, expires_at = await run(lambda: device_codes.issue_code(who.user.account_id, who.user.id, _terms(form)))
    return JSONResponse({"code": device_codes.display(code), "expires_at": views.iso(expires_at),
                         "expires_in": device_codes.CODE_S, "command": f"tollway auth {device_codes.display(code)}"},
                        status_code=201)


@router.delete("/device-codes/{code}")
async def withdraw_device_code(code: str, request: Request) -> Response:
    who = await run(lambda: require_write(request))
    await run(lambda: device_codes.cancel_code(code, who.user.account_id))
    return Response(status_code=204)


@router.post("/device/approve", openapi_extra=json_body(DeviceApproval))
async def approve_device(request: Request) -> JSONResponse:
    who = await run(lambda: require_write(request))
    form = await body(request, DeviceApproval)

    def work() -> str:
        count_attempt(f"approve-user#{who.user.id}", APPROVALS_PER_MINUTE)
        return device_codes.approve_device_code(form.code, who.user.account_id, who.user.id,
                                                _terms(form) if form.approve else None)

    device = await run(work)
    return JSONResponse({"device": device, "approved": form.approve})
