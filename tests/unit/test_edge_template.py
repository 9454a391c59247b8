"""The deployed edge in template.yaml: API Gateway's own errors in the OpenAI shape with security
headers, a WAF rate rule of 5,000 requests per 10 minutes per IP (a parameter turns it off), and a
CORS preflight route for every /v1 path."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tollway.local.template import Template

ROOT = Path(__file__).resolve().parents[2]
SECURITY = {"X-Content-Type-Options": "'nosniff'", "X-Frame-Options": "'DENY'", "Referrer-Policy": "'no-referrer'"}


def template() -> Template:
    return Template(ROOT / "template.yaml")


def gateway_responses() -> dict:
    return template().of_type("AWS::Serverless::Api")["GatewayApi"]["GatewayResponses"]


def test_an_unknown_route_is_a_json_404_not_missing_authentication_token() -> None:
    missing = gateway_responses()["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == "404"
    body = json.loads(missing["ResponseTemplates"]["application/json"])
    assert body["error"]["code"] == "not_found" and body["error"]["type"] == "invalid_request_error"


def test_api_gateways_own_errors_have_clear_openai_shaped_bodies_and_security_headers() -> None:
    responses = gateway_responses()
    expected = {"THROTTLED": ("429", "rate_limit_exceeded"), "REQUEST_TOO_LARGE": ("413", "request_too_large"),
                "INTEGRATION_TIMEOUT": ("504", "gateway_timeout")}
    for kind, (status, code) in expected.items():
        assert responses[kind]["StatusCode"] == status
        assert json.loads(responses[kind]["ResponseTemplates"]["application/json"])["error"]["code"] == code
    assert responses["THROTTLED"]["ResponseParameters"]["Headers"]["Retry-After"] == "'1'"
    for kind, response in responses.items():
        # $context.error.messageString is a quoted JSON string, responseType a bare word: stand-ins for both.
        text = response["ResponseTemplates"]["application/json"]
        text = text.replace("$context.error.messageString", '"Missing Authentication Token"')
        body = json.loads(text.replace("$context.error.responseType", "ACCESS_DENIED"))
        assert set(body["error"]) == {"message", "type", "code", "param"}, kind
        assert SECURITY.items() <= response["ResponseParameters"]["Headers"].items(), kind


def test_the_waf_rule_allows_5000_requests_per_ip_in_10_minutes_and_can_be_turned_off() -> None:
    t = template()
    assert t.doc["Parameters"]["IpRateLimit"]["Default"] == "on"
    assert t.doc["Parameters"]["IpRateLimitRequests"]["Default"] == 5000
    acl = t.doc["Resources"]["EdgeWebAcl"]
    association = t.doc["Resources"]["EdgeWebAclAssociation"]
    assert acl["Condition"] == association["Condition"] == "IpRateLimitOn"
    (rule,) = acl["Properties"]["Rules"]
    statement = rule["Statement"]["RateBasedStatement"]
    assert statement == {"Limit": {"Ref": "IpRateLimitRequests"}, "EvaluationWindowSec": 600, "AggregateKeyType": "IP"}
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    assert {"Name": "Retry-After", "Value": "60"} in response["ResponseHeaders"]
    body = acl["Properties"]["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert json.loads(body["Content"])["error"]["code"] == "rate_limit_exceeded"
    assert "/stages/${GatewayApi.Stage}" in association["Properties"]["ResourceArn"]["Fn::Sub"]


def test_every_v1_and_infra_ai_path_has_a_cors_preflight_route() -> None:
    routes = template().routes()
    paths = {r.path for r in routes if r.path.startswith(("/v1/", "/infra/ai/")) and r.method != "OPTIONS"}
    preflights = {r.path: r.function for r in routes if r.method == "OPTIONS"}
    assert paths == set(preflights), paths ^ set(preflights)
    assert set(preflights.values()) == {"HealthFunction"}  # tollway/http/edge.py answers them before routing


def test_cors_origins_are_a_parameter_closed_by_default() -> None:
    t = template()
    assert t.doc["Parameters"]["CorsAllowedOrigins"]["Default"] == ""
    assert t.global_environment()["TOLLWAY_CORS_ORIGINS"] == {"Ref": "CorsAllowedOrigins"}
    assert not re.search(r"^\s+Cors:", (ROOT / "template.yaml").read_text(), re.M)  # no open SAM-level CORS
