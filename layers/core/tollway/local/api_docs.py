"""`GET /openapi.json` and the `/docs` page that renders it, served by `tollway serve`.

The document is built from the function apps on its first request (that imports every function,
which `tollway serve` otherwise does lazily) and kept: the routes cannot change while it runs.
The page's script and style are files beside this module (no CDN): its own Content Security Policy
allows them and nothing else.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.types import Receive, Scope, Send

from tollway.local.template import Template

_HERE = Path(__file__).with_name("docs")
_PAGES = {"/docs": ("index.html", b"text/html; charset=utf-8"), "/docs/docs.js": ("docs.js", b"text/javascript"),
          "/docs/docs.css": ("docs.css", b"text/css")}
CSP = b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'"
PATHS = frozenset({"/openapi.json", *_PAGES})


class ApiDocs:
    def __init__(self, template: Template) -> None:
        self.template = template
        self._document: bytes | None = None
        self._building = asyncio.Lock()

    async def document(self) -> bytes:
        async with self._building:
            if self._document is None:
                from tollway.local.openapi import document_bytes  # pydantic's schema machinery: on demand

                self._document = await asyncio.to_thread(document_bytes, self.template)
        return self._document

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        if path == "/openapi.json":
            body, headers = await self.document(), [(b"content-type", b"application/json")]
        else:
            name, content_type = _PAGES[path]
            body = (_HERE / name).read_bytes()
            headers = [(b"content-type", content_type), (b"content-security-policy", CSP)]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*headers, (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-cache")]})
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
