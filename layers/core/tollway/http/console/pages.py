"""The console's pages, rendered on the server (the data is in the HTML; the script only acts).

A page a signed-out browser asks for redirects to sign-in (and back after it). Pages read with the
session only; every change goes through the JSON API with the CSRF token (`api.py`).
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from tollway.auth import account_keys, accounts, device_codes, passkeys, sessions
from tollway.auth.keys import DEFAULT_RPM, PRESET_RPM, SCOPES
from tollway.config import settings
from tollway.errors import NotFound
from tollway.endpoints.admin import account_balance
from tollway.http.console import activity, charts, views
from tollway.http.console.guard import SignedIn, signed_in
from tollway.http.console.origin import console_url
from tollway.http.console.render import STATIC, STATIC_TYPES, page
from tollway.ledger.money import credits_json
from tollway.usage.summary import per_day, per_model, totals

router = APIRouter()
LOG_ROWS = 50

# What the playground can send: (method, path, model kind, an example body).
PLAYGROUND_ROUTES: tuple[tuple[str, str, str, dict[str, Any] | None], ...] = (
    ("POST", "/v1/chat/completions", "chat", None),  # built from the message editor
    ("POST", "/v1/messages", "chat", {"max_tokens": 256, "messages": [{"role": "user", "content": "Hello!"}]}),
    ("POST", "/v1/embeddings", "embedding", {"input": "The quick brown fox"}),
    ("POST", "/v1/images/generations", "image", {"prompt": "a lighthouse at dawn", "n": 1, "size": "512x512"}),
    ("POST", "/v1/audio/speech", "speech", {"input": "Hello from Tollway", "voice": "alloy"}),
    ("POST", "/v1/audio/generation", "sound", {"prompt": "rain on a tin roof", "duration_seconds": 3}),
    ("POST", "/v1/moderations", "moderation", {"input": "I love this gateway"}),
    ("POST", "/v1/rerank", "rerank", {"query": "capital of France", "documents": ["Paris", "Berlin"]}),
    ("POST", "/v1/documents/chunk", "", {"text": "First paragraph.\n\nSecond paragraph.", "max_chars": 100}),
    ("POST", "/v1/videos/generations", "video", {"prompt": "waves on a beach", "seconds": 4}),
    ("POST", "/v1/music/generations", "music", {"prompt": "calm piano", "duration_seconds": 10}),
    ("GET", "/v1/models", "", None),
)


def _to_sign_in(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(console_url(request, "/console/sign-in?next=" + quote(target, safe="/")), status_code=303)


def _keys(who: SignedIn) -> list[Any]:
    return account_keys.keys_of(who.user.account_id)


@router.get("/console")
def home(request: Request) -> Response:
    target = "/console/keys" if signed_in(request) else "/console/sign-in"
    return RedirectResponse(console_url(request, target), status_code=303)


@router.get("/console/sign-in")
def sign_in_page(request: Request) -> Response:
    if signed_in(request):
        return RedirectResponse(console_url(request, "/console/keys"), status_code=303)
    return page(request, "sign_in.html", None, title="Sign in", signup=settings().signup)


@router.get("/console/sign-up")
def sign_up_page(request: Request) -> Response:
    return page(request, "sign_up.html", signed_in(request), title="Create an account", signup=settings().signup,
                invite=request.query_params.get("invite", "")[:64])


@router.get("/console/keys")
def keys_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in(request)
    keys = [views.key_view(k) for k in _keys(who)]
    return page(request, "keys.html", who, title="API keys", keys=keys, presets=PRESET_RPM, default_rpm=DEFAULT_RPM,
                scopes=sorted(SCOPES), credits=credits_json(account_balance(who.user.account_id)))


@router.get("/console/usage")
def usage_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in(request)
    days = 30 if request.query_params.get("days") == "30" else 7
    keys = _keys(who)
    now = time.time()
    records = activity.account_records(keys, days, now)
    rows = per_day(records, days, now)
    models = per_model(records)
    palette = charts.model_colors(rows)
    names = {k.id: k.name for k in keys}
    return page(request, "usage.html", who, title="Usage", days=days, totals=views.model_total_view(totals(records)),
                credits_chart=charts.daily_bars(rows, "credits", palette),
                requests_chart=charts.daily_bars(rows, "requests", palette),
                model_credits=charts.model_bars(models, "credits", palette),
                models=[views.model_total_view(m) | {"color": palette.get(m.model, charts.OTHER)} for m in models],
                log=[views.record_view(r, names) for r in records[:LOG_ROWS]],
                credits=credits_json(account_balance(who.user.account_id)))


@router.get("/console/usage/requests/{request_id}")
def request_page(request_id: str, request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in(request)
    keys = _keys(who)
    found = activity.find_request(keys, request_id)
    if found is None:
        return page(request, "error.html", who, status=404, title="Not found",
                    message="No such request in your account's last 30 days.")
    return page(request, "request.html", who, title="Request", record=views.record_view(found, {k.id: k.name for k in keys}))


@router.get("/console/playground")
def playground_page(request: Request) -> Response:
    from tollway.catalog import listed_models
    from tollway.providers import configured_providers

    who = signed_in(request)
    if who is None:
        return _to_sign_in(request)
    usable = configured_providers()
    models = [{"id": m.id, "kind": m.kind} for m in listed_models() if m.provider in usable]
    keys = [views.key_view(k) for k in _keys(who) if not k.revoked_at and "ai:generate" in k.scopes]
    routes = [{"method": method, "path": path, "kind": kind, "body": json.dumps(example, indent=2) if example else ""}
              for method, path, kind, example in PLAYGROUND_ROUTES]
    return page(request, "playground.html", who, title="Playground", models=models, keys=keys, routes=routes)


@router.get("/console/operations")
def operations_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in(request)
    keys = _keys(who)
    names = {k.id: k.name for k in keys}
    return page(request, "operations.html", who, title="Operations",
                operations=[views.operation_view(op, names) for op in activity.account_operations(keys)])


@router.get("/console/devices")
def devices_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in(request)
    devices = [views.key_view(k) for k in _keys(who) if k.device]
    return page(request, "devices.html", who, title="Devices", devices=devices, presets=PRESET_RPM,
                default_rpm=DEFAULT_RPM, scopes=sorted(SCOPES), minutes=device_codes.CODE_S // 60)


@router.get("/console/device")
def approve_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in(request)
    raw = request.query_params.get("code", "")[:32]
    code = device_codes.normalize(raw)
    return page(request, "device.html", who, title="Approve a device", code=device_codes.display(code) if code else raw,
                device=device_codes.pending_device(code) if code else None, presets=PRESET_RPM,
                default_rpm=DEFAULT_RPM, scopes=sorted(SCOPES))


@router.get("/console/account")
def account_page(request: Request) -> Response:
    who = signed_in(request)
    if who is None:
        return _to_sign_in(request)
    account = accounts.read_account(who.user.account_id)
    return page(request, "account.html", who, title="Account", account_id=account.id,
                credits=credits_json(account_balance(account.id)),
                grants=[{"at": g.at, "amount": credits_json(g.amount), "note": g.note}
                        for g in accounts.grants_of(account.id)],
                passkeys=[views.passkey_view(p) for p in passkeys.passkeys_of(who.user.id)],
                sessions=[views.session_view(s, who.session) for s in sessions.sessions_of(who.user.id)])


@router.get("/console/static/{name}")
def static_file(name: str) -> Response:
    if name not in STATIC_TYPES:
        raise NotFound("No such file", code="not_found")
    return FileResponse(STATIC / name, media_type=STATIC_TYPES[name])
