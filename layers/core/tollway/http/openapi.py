"""The OpenAPI side of a route: the pydantic model its body is validated with, declared on the route.

    @app.post("/v1/embeddings", openapi_extra=json_body(EmbeddingCreateParams))

Our routes read their bodies themselves (`json_object`, `read_form`) so the use case can validate
with its wire model and answer a 400 in the surface's own shape; FastAPI therefore cannot see the
model. `json_body` names it on the route (the same class the use case validates with) and records it,
so `describe_app` can put its JSON Schema in the document. `describe_app` turns one function's app
into OpenAPI 3.1 paths; local/openapi.py merges every function's into one document.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"
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
    document = get_openapi(title="tollway", version="0", openapi_version="3.1.0", routes=app.routes)
    paths: dict[str, Any] = {}
    for path, operations in document.get("paths", {}).items():
        kept = {method: op for method, op in operations.items() if exposed is None or exposed(method.upper(), path)}
        if kept:
            paths[path] = kept
    return {"paths": paths, "schemas": document.get("components", {}).get("schemas", {})}
