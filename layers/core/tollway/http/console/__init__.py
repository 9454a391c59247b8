"""The web console's HTTP edge: pages, the JSON API behind them (session cookie + CSRF token), and the
CLI's device-code endpoints. `functions/console/app.py` mounts `routers()`."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from tollway.http.console import api, device_api, pages

    return [api.router, device_api.router, pages.router]


__all__ = ["routers"]
