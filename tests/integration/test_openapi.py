"""The OpenAPI document: every route the template serves, the request models the use cases validate
with, served at /openapi.json with a /docs page, and exported to docs/openapi.json (kept current)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from openapi_spec_validator import validate

from tests.fakes.server import ThreadedServer
from tollway.local.template import Template

ROOT = Path(__file__).resolve().parents[2]
# POST routes that take no body: an action on the resource their path names (or a 501 not built yet).
BODILESS = {
    "/v1/operations/{operation_id}/cancel", "/infra/ai/operations/{operation_id}/cancel", "/v1/uploads/{upload_id}/cancel",
    "/console/api/operations/{operation_id}/cancel", "/console/api/passkeys/options",
    "/console/api/sessions/revoke-all", "/console/api/sign-in/options", "/console/api/sign-out",
}


@pytest.fixture(scope="module")
def document(gateway: ThreadedServer) -> dict[str, Any]:
    response = httpx.get(f"{gateway.url}/openapi.json", timeout=60)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    return orjson.loads(response.content)  # type: ignore[no-any-return]


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_the_template_serves_is_in_the_document(document: dict[str, Any]) -> None:
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    served = {(r.method, re.sub(r"\{(\w+)\+\}", r"{\1}", r.path)) for r in Template(ROOT / "template.yaml").routes()
              if r.method not in ("OPTIONS", "ANY")}
    assert served - documented == set()
    # The console's {proxy+} route: every API route of the console app is there, none invented.
    console = {p for p in document["paths"] if p.startswith("/console/api/")}
    assert {"/console/api/keys", "/console/api/device/token", "/console/api/whoami"} <= console


def test_every_route_that_reads_a_body_names_the_model_that_validates_it(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch") and path not in BODILESS:
                content = operation.get("requestBody", {}).get("content")
                assert content, f"{method.upper()} {path} reads a body but names no model (http/openapi.py)"
                for media in content.values():
                    refs = re.findall(r'"#/components/schemas/(\w+)"', orjson.dumps(media).decode())
                    assert refs and all(name in schemas for name in refs), (path, refs)
    chat = document["paths"]["/v1/chat/completions"]["post"]["requestBody"]["content"]["application/json"]
    assert chat["schema"] == {"$ref": "#/components/schemas/ChatCompletionRequest"}
    assert {"model", "messages"} <= set(schemas["ChatCompletionRequest"]["required"])


def test_errors_are_documented_in_each_surfaces_own_shape(document: dict[str, Any]) -> None:
    def shape(path: str) -> str:
        return str(document["paths"][path]["post"]["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"])

    assert shape("/v1/chat/completions").endswith("/Error")
    assert shape("/v1/messages").endswith("/AnthropicError")
    assert document["paths"]["/v1/messages"]["post"]["security"] == [{"apiKey": []}, {"anthropicKey": []}]


def test_the_exported_document_is_current(document: dict[str, Any]) -> None:
    exported = orjson.loads((ROOT / "docs" / "openapi.json").read_bytes())
    assert exported == document, "docs/openapi.json is stale: run `make openapi`"


def test_the_docs_page_renders_the_document_from_vendored_files_only(gateway: ThreadedServer) -> None:
    page = httpx.get(f"{gateway.url}/docs", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in re.findall(r'(?:src|href)="(/docs/[^"]+)"', page.text):
        answer = httpx.get(f"{gateway.url}{asset}", timeout=10)
        assert answer.status_code == 200 and "openapi.json" in page.text + answer.text
        assert not re.search(r"https?://", answer.text), f"{asset} loads something from elsewhere"
    assert not re.search(r"https?://", page.text)
