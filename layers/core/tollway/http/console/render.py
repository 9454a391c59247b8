"""Pages from Jinja templates with autoescaping on: whatever a page shows — a key's name, a model, a
user agent — is text, never markup. The templates and the static files (one script, one stylesheet,
no CDN) live beside this module.

    return page(request, "keys.html", who, keys=[...])
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tollway.http.console.guard import SignedIn
from tollway.http.console.origin import console_url

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_TYPES = {"console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8",
                "icon.svg": "image/svg+xml"}


def _credits(value: Any) -> str:
    return "—" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:,.6f}".rstrip("0").rstrip(".")


def _when(value: str | None) -> str:
    """ISO-8601 UTC → "2026-12-01 14:03 UTC" (the page's script shows it in the reader's time zone)."""
    return "—" if not value else value.replace("T", " ")[:16] + " UTC"


def _epoch(value: int | float | None) -> str:
    from datetime import UTC, datetime

    return "—" if not value else datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["credits"] = _credits
    env.filters["when"] = _when
    env.filters["epoch"] = _epoch
    return env


def page(request: Request, template: str, who: SignedIn | None, *, status: int = 200, **context: Any) -> HTMLResponse:
    values = {"who": who, "csrf": who.session.csrf if who else "", "base": console_url(request, "/console"),
              "page": template.removesuffix(".html"), "title": context.pop("title", "Tollway console")}
    html = environment().get_template(template).render(**values, **context)
    return HTMLResponse(html, status_code=status)
