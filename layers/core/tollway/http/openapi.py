"""The OpenAPI side of a route: the pydantic model its body is validated with, declared on the handler.

    @app.post("/infra/ai/embeddings")
    @app.post("/v1/embeddings")
    @declares(json_body(EmbeddingCreateParams))
    async def create_embeddings(request: Request) -> Response: ...

Our routes read their bodies themselves (`json_object`, `read_form`) so the use case can validate
with its wire model and answer a 400 in the surface's own shape; FastAPI therefore cannot see the
model. `declares` names it on the handler (the same class the use case validates with), so every
path the handler serves is described alike; a router's routes may pass the same dict as
`openapi_extra`. `describe_app` turns one function's app into OpenAPI 3.1 paths;
local/openapi.py merges every function's into one document.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"
_DECLARED = "tollway_openapi"  # the attribute `declares` sets on a handler
H = TypeVar("H", bound=Callable[..., Any])
_MODELS: dict[str, type[BaseModel]] = {}  # component name → model, for every model a route names


def _ref(model: type[BaseModel]) -> dict[str, str]:
    known = _MODELS.setdefault(model.__name__, model)
    if known is not model:  # two wire models with one name would share one schema: rename one
        raise ValueError(f"two request models are named {model.__name__}: {known.__module__}, {model.__module__}")
    return {"$ref": REF.format(model=model.__name__)}


def json_body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` for a route whose JSON body `model` validates."""
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": _ref(model)}}}}


def form_body(model: type[BaseModel], files: Iterable[str], *, json_allowed: bool = False,
              json_model: type[BaseModel] | None = None, required_files: Iterable[str] = ()) -> dict[str, Any]:
    """`openapi_extra` for a multipart route: `model` validates its text fields, `files` are file parts
    (and with `json_allowed` the same fields as a JSON body, files then given as URLs or base64;
    `json_model` when a JSON body is validated by another model)."""
    file_schema = {"type": "string", "format": "binary"}
    form = {"allOf": [_ref(model), {"type": "object", "properties": {name: file_schema for name in files},
                                    "required": list(required_files)}]}
    content: dict[str, Any] = {"multipart/form-data": {"schema": form}}
    if json_allowed or json_model is not None:
        content["application/json"] = {"schema": _ref(json_model or model)}
    return {"requestBody": {"required": True, "content": content}}


def declares(*extras: dict[str, Any]) -> Callable[[H], H]:
    """Put `json_body(...)`, `form_body(...)` or `query_params(...)` on a route handler (any order of
    decorators: FastAPI keeps the handler itself, read when the document is built)."""

    def mark(handler: H) -> H:
        merged: dict[str, Any] = {}
        for extra in extras:
            merged.update(extra)
        setattr(handler, _DECLARED, merged)
        return handler

    return mark


def query_params(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route whose query string `model` validates (one parameter per field)."""
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    return {"parameters": [{"name": name, "in": "query", "required": name in required, "schema": field}
                           for name, field in schema.get("properties", {}).items()]}


def model_schemas() -> dict[str, Any]:
    """JSON Schema of every model a route names, and of the models they refer to, as components."""
    _, top = models_json_schema([(m, "validation") for m in _MODELS.values()], ref_template=REF)
    return copy.deepcopy(top.get("$defs", {}))


def describe_app(app: Any, exposed: Any = None) -> dict[str, Any]:
    """One app's routes as OpenAPI paths (`exposed(method, path)` keeps only what is served)."""
    for route in app.routes:
        declared = getattr(getattr(route, "endpoint", None), _DECLARED, None)
        if isinstance(route, APIRoute) and declared:
            route.openapi_extra = {**(route.openapi_extra or {}), **declared}
    document = get_openapi(title="tollway", version="0", openapi_version="3.1.0", routes=app.routes)
    paths: dict[str, Any] = {}
    for path, operations in document.get("paths", {}).items():
        kept = {method: op for method, op in operations.items() if exposed is None or exposed(method.upper(), path)}
        if kept:
            paths[path] = kept
    return {"paths": paths, "schemas": document.get("components", {}).get("schemas", {})}
