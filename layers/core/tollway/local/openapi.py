"""One OpenAPI 3.1 document for every route template.yaml serves, built from the function apps.

Each function's app (loaded from its CodeUri, as `tollway serve` loads it) describes its own routes;
only the (method, path) pairs the template exposes are kept, so the document lists exactly what
API Gateway and `tollway serve` answer. Request bodies are the wire models the use cases validate
with (http/openapi.py), errors are each surface's own shape (OpenAI's, Anthropic's on /v1/messages, the envelope on
/api/v1/inference).

    python -m tollway.local.openapi template.yaml > docs/openapi.json     # `make openapi`
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from tollway import __version__
from tollway.http.errors import speaks_anthropic, speaks_envelope
from tollway.http.openapi import describe_app, model_schemas
from tollway.local.function_code import load_function_module
from tollway.local.template import Template

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_OPENAI_ERROR = {
    "type": "object", "required": ["error"], "additionalProperties": False,
    "properties": {"error": {
        "type": "object", "required": ["message", "type", "code", "param"],
        "properties": {"message": {"type": "string"}, "type": {"type": "string"},
                       "code": {"type": ["string", "null"]}, "param": {"type": ["string", "null"]}}}}}
_ANTHROPIC_ERROR = {
    "type": "object", "required": ["type", "error"],
    "properties": {"type": {"const": "error"}, "error": {
        "type": "object", "required": ["type", "message"],
        "properties": {"type": {"type": "string"}, "message": {"type": "string"}}}}}
_ENVELOPE_ERROR = {
    "type": "object", "required": ["success", "error"], "additionalProperties": False,
    "properties": {"success": {"const": False}, "error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}
_SECURITY = {
    "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key (`sk-tw-…`), or the admin key on /admin"},
    "anthropicKey": {"type": "apiKey", "in": "header", "name": "x-api-key",
                     "description": "The same API key, as Anthropic's SDK sends it"},
}


def _template_pattern(path: str) -> re.Pattern[str]:
    """A template path (`{name}` one segment, `{name+}` the rest) → a regex over OpenAPI paths."""
    regex = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            regex += r".+" if part.endswith("+}") else r"[^/]+"
        else:
            regex += re.escape(part)
    return re.compile(f"^{regex}$")


def _errors(path: str) -> dict[str, Any]:
    shape = ("AnthropicError" if speaks_anthropic(path) else "EnvelopeError" if speaks_envelope(path)
             else "Error")
    answer = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{shape}"}}}}
    return {"4XX": {"description": "The request cannot be served as sent", **answer},
            "5XX": {"description": "An upstream or the store failed (never a bug: those are fixed)", **answer}}


def _security(path: str) -> list[dict[str, list[str]]]:
    if path.startswith("/v1/messages"):
        return [{"apiKey": []}, {"anthropicKey": []}]
    if path.startswith(("/v1/", "/admin/")):
        return [{"apiKey": []}]
    return []  # /health is open; the console's routes use its session cookie and CSRF token


def build_document(template: Template) -> dict[str, Any]:
    exposed: dict[Path, list[tuple[str, re.Pattern[str]]]] = {}
    for route in template.routes():
        methods = _METHODS if route.method == "ANY" else (route.method,)
        exposed.setdefault(route.code_uri, []).extend((m, _template_pattern(route.path)) for m in methods)
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for code_uri, served in sorted(exposed.items()):
        def is_served(method: str, path: str, served: list[tuple[str, re.Pattern[str]]] = served) -> bool:
            return any(method == m and pattern.match(path) for m, pattern in served)

        described = describe_app(load_function_module(code_uri).app, is_served)
        schemas.update(described["schemas"])
        for path, operations in described["paths"].items():
            paths.setdefault(path, {}).update(operations)
    for path, operations in paths.items():
        for operation in operations.values():
            operation["responses"] = {**operation.get("responses", {}), **_errors(path)}
            operation["responses"].pop("422", None)  # FastAPI's own validation never answers: ours is a 400
            if security := _security(path):
                operation["security"] = security
    schemas.update(model_schemas())
    schemas.update({"Error": _OPENAI_ERROR, "AnthropicError": _ANTHROPIC_ERROR, "EnvelopeError": _ENVELOPE_ERROR})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tollway", "version": __version__,
                 "description": "Every route of every surface the gateway serves: /v1 (OpenAI- and "
                                "Anthropic-compatible), /admin, /console and /health."},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": _SECURITY},
    }


def document_bytes(template: Template) -> bytes:
    return (json.dumps(build_document(template), indent=2, sort_keys=False) + "\n").encode()


def _main(argv: list[str]) -> None:
    template = Template(Path(argv[0] if argv else "template.yaml"))
    sys.stdout.buffer.write(document_bytes(template))


if __name__ == "__main__":
    _main(sys.argv[1:])

