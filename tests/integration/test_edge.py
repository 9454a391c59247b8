"""Every answer carries security headers (the router's 404s, 413s and errors included; HSTS over
HTTPS); CORS is closed unless TOLLWAY_CORS_ORIGINS lists the origin, and then preflights and answers
say so; admin routes never answer CORS; `tollway serve` answers 429 with Retry-After past the
per-IP limit."""

from __future__ import annotations

import httpx

from tests.conftest import bearer
from tests.environment import changed_environment
from tests.served import ServedGateway

ASK = {"model": "local/echo", "messages": [{"role": "user", "content": "hi"}]}
APP = "https://app.example.com"


def assert_secure(response: httpx.Response, https: bool = False) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff", (response.status_code, dict(headers))
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert headers["referrer-policy"] == "no-referrer"
    assert ("strict-transport-security" in headers) is https


def preflight(gateway, path: str, origin: str = APP, headers: str = "authorization, content-type") -> httpx.Response:
    return httpx.options(f"{gateway.url}{path}", headers={
        "origin": origin, "access-control-request-method": "POST", "access-control-request-headers": headers})


def test_every_answer_carries_the_security_headers(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    answers = [
        httpx.post(f"{gateway.url}/v1/chat/completions", json=ASK, headers=bearer(key)),   # 200
        httpx.post(f"{gateway.url}/v1/chat/completions", json=ASK),                         # 401
        httpx.get(f"{gateway.url}/no/such/route"),                                          # the router's 404
        httpx.delete(f"{gateway.url}/v1/chat/completions"),                                 # the router's 405
        httpx.post(f"{gateway.url}/v1/embeddings", content=b"x" * (7 * 1024 * 1024),        # 413 before reading
                   headers=bearer(key) | {"content-type": "application/json"}),
        httpx.get(f"{gateway.url}/health"),
    ]
    assert [a.status_code for a in answers] == [200, 401, 404, 405, 413, 200]
    for answer in answers:
        assert_secure(answer)
    stream = httpx.post(f"{gateway.url}/v1/chat/completions", json=ASK | {"stream": True}, headers=bearer(key))
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert_secure(stream)


def test_hsts_is_sent_only_to_requests_that_came_over_https(gateway) -> None:
    assert_secure(httpx.get(f"{gateway.url}/health", headers={"x-forwarded-proto": "https"}), https=True)
    assert_secure(httpx.get(f"{gateway.url}/health", headers={"x-forwarded-proto": "http"}), https=False)


def test_cors_is_closed_by_default(gateway, admin) -> None:
    refused = preflight(gateway, "/v1/chat/completions")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "cors_origin_not_allowed"
    assert "access-control-allow-origin" not in refused.headers
    assert_secure(refused)
    key = admin.create_key(credits=1)
    answer = httpx.post(f"{gateway.url}/v1/chat/completions", json=ASK, headers=bearer(key) | {"origin": APP})
    assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers


def test_a_listed_origin_gets_its_preflight_and_reads_the_gateways_headers(gateway, admin) -> None:
    key = admin.create_key(credits=1)
    with changed_environment(TOLLWAY_CORS_ORIGINS=f"{APP}, https://other.example.com"):
        allowed = preflight(gateway, "/v1/chat/completions", headers="authorization, content-type, x-stainless-os")
        assert allowed.status_code == 204 and allowed.content == b""
        assert allowed.headers["access-control-allow-origin"] == APP
        assert allowed.headers["access-control-allow-headers"] == "authorization, content-type, x-stainless-os"
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert allowed.headers["vary"] == "Origin" and "access-control-allow-credentials" not in allowed.headers
        assert preflight(gateway, "/v1/chat/completions", origin="https://evil.example.com").status_code == 403
        assert preflight(gateway, "/v1/chat/completions", origin=APP + ".evil.com").status_code == 403
        hostile = preflight(gateway, "/v1/files", headers="x-ok, <script>; set-cookie=a")  # not a header list
        assert hostile.status_code == 204
        assert hostile.headers["access-control-allow-headers"].startswith("authorization, content-type")

        answer = httpx.post(f"{gateway.url}/v1/chat/completions", json=ASK, headers=bearer(key) | {"origin": APP})
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == APP
        exposed = {h.strip() for h in answer.headers["access-control-expose-headers"].split(",")}
        assert {"x-request-id", "x-credits-used", "x-ratelimit-remaining-requests", "retry-after"} <= exposed
        assert "Origin" in answer.headers["vary"]
        other = httpx.post(f"{gateway.url}/v1/chat/completions", json=ASK,
                           headers=bearer(key) | {"origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers
    with changed_environment(TOLLWAY_CORS_ORIGINS="*"):
        assert preflight(gateway, "/v1/embeddings", origin="https://any.example").headers[
            "access-control-allow-origin"] == "*"


def test_admin_routes_never_answer_cors(gateway, environment) -> None:
    with changed_environment(TOLLWAY_CORS_ORIGINS="*"):
        answer = httpx.get(f"{gateway.url}/admin/keys/none", headers={"origin": APP,
                                                                      "authorization": f"Bearer {environment}"})
        assert "access-control-allow-origin" not in answer.headers
        assert_secure(answer)
        assert preflight(gateway, "/admin/keys").status_code in (404, 405)


def test_tollway_serve_answers_429_with_retry_after_past_the_per_ip_limit() -> None:
    with ServedGateway(env={"TOLLWAY_IP_RATE_LIMIT": "400", "TOLLWAY_IP_RATE_WINDOW_SECONDS": "600"}) as served:
        with httpx.Client(base_url=served.url) as http:
            statuses = []
            for _ in range(500):  # its start-up polls of /health were counted too
                statuses.append(http.get("/health").status_code)
                if statuses[-1] != 200:
                    break
            limited = http.post("/v1/chat/completions", json=ASK)
    assert set(statuses[:-1]) == {200} and statuses[-1] == 429
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limit_exceeded"
    assert 1 <= int(limited.headers["retry-after"]) <= 1200
    assert_secure(limited)


def test_the_health_function_answers_a_deployed_preflight_of_any_v1_path(environment) -> None:
    """Deployed, API Gateway sends every /v1 OPTIONS to the health function (Mangum, over HTTPS)."""
    from tests.integration.test_lambda_handlers import event, invoke

    preflight_event = event("health.json")
    headers = {"Origin": APP, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "authorization, content-type"}
    preflight_event |= {"resource": "/v1/chat/completions", "path": "/v1/chat/completions", "httpMethod": "OPTIONS",
                        "headers": preflight_event["headers"] | headers,
                        "multiValueHeaders": preflight_event["multiValueHeaders"] | {k: [v] for k, v in headers.items()}}
    preflight_event["requestContext"] |= {"resourcePath": "/v1/chat/completions", "httpMethod": "OPTIONS",
                                          "path": "/prod/v1/chat/completions"}
    status, answered, _ = invoke("health", preflight_event)
    assert status == 403 and "access-control-allow-origin" not in answered  # closed by default
    assert answered["strict-transport-security"].startswith("max-age=")  # X-Forwarded-Proto: https
    with changed_environment(TOLLWAY_CORS_ORIGINS=APP):
        status, answered, _ = invoke("health", preflight_event)
    assert status == 204 and answered["access-control-allow-origin"] == APP
    assert answered["access-control-allow-headers"] == "authorization, content-type"
