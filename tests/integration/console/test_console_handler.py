"""The console function as Lambda runs it (Mangum, its events/ sample): behind API Gateway's stage
its links carry the stage prefix, its origin is the API's own https host, and its cookie would be
Secure with the __Host- prefix."""

from __future__ import annotations

import json
from typing import Any

from tests.environment import changed_environment
from tests.fakes.authenticator import SoftAuthenticator
from tests.integration.test_lambda_handlers import LambdaContext, event, load_handler_module


def test_the_console_handler_answers_its_sample_event_under_the_stage_prefix(environment: str) -> None:
    with changed_environment(TOLLWAY_CONSOLE_ORIGIN=None):
        result: dict[str, Any] = load_handler_module("console").handler(event("console-sign-in.json"), LambdaContext())
    assert result["statusCode"] == 200
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    assert headers["content-type"].startswith("text/html") and "frame-ancestors 'none'" in headers["content-security-policy"]
    body = result["body"]
    assert 'href="/prod/console/static/console.css"' in body and 'content="/prod/console"' in body


def _post(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A POST of the console's script, as API Gateway hands it to the function over https."""
    sent = event("console-sign-in.json")
    host = sent["headers"]["Host"]
    headers = {**sent["headers"], "Origin": f"https://{host}", "Content-Type": "application/json"}
    return sent | {"path": path, "httpMethod": "POST", "body": json.dumps(body), "headers": headers,
                   "multiValueHeaders": {k: [v] for k, v in headers.items()},
                   "requestContext": {**sent["requestContext"], "path": f"/prod{path}", "httpMethod": "POST"}}


def test_over_https_the_session_cookie_is_secure_and_host_only(environment: str) -> None:
    host = event("console-sign-in.json")["headers"]["Host"]
    with changed_environment(TOLLWAY_CONSOLE_ORIGIN=None, TOLLWAY_SIGNUP="open"):
        handler = load_handler_module("console").handler
        started = handler(_post("/console/api/sign-up/options", {"name": "Ada"}), LambdaContext())
        assert started["statusCode"] == 200, started["body"]
        options = json.loads(started["body"])
        assert options["publicKey"]["rp"]["id"] == host  # the API's own host when no origin is configured
        device = SoftAuthenticator(f"https://{host}")
        done = handler(_post("/console/api/sign-up/verify", {"ceremony": options["ceremony"],
                                                              "credential": device.create(options["publicKey"])}),
                       LambdaContext())
    assert done["statusCode"] == 200, done["body"]
    headers = {k.lower(): v for k, v in (done.get("multiValueHeaders") or {}).items()}
    headers |= {k.lower(): [v] for k, v in (done.get("headers") or {}).items()}
    (cookie,) = headers["set-cookie"]
    assert cookie.startswith("__Host-tollway_session=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "Path=/" in cookie and "SameSite=lax" in cookie and "Domain" not in cookie
    assert json.loads(done["body"])["redirect"] == "/prod/console/keys"
