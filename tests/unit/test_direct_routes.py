"""A route served directly (app.direct_post) answers exactly as the same route through FastAPI:
the answer, domain errors in the route's shape, the unexpected 500 with its one log line, the
request id, the body limit, and whatever is not a POST to that exact path."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tests.environment import changed_environment
from tests.fakes.server import ThreadedServer
from tollway.errors import InsufficientCredits
from tollway.http.app import create_app
from tollway.http.requests import api_key, json_object


async def _answer(request: Request) -> Response:
    key = api_key(request)
    body = await json_object(request)
    if body.get("fail") == "domain":
        raise InsufficientCredits("not enough credits")
    if body.get("fail") == "http":
        raise HTTPException(status_code=409, detail="conflict")
    if body.get("fail") == "bug":
        raise ZeroDivisionError("secret detail that must not be logged")
    return JSONResponse({"key": key[-4:], "body": body}, headers={"x-model-used": "m"})


def _served(direct: bool) -> ThreadedServer:
    app = create_app("test")
    for path in ("/v1/chat/completions", "/v1/messages"):
        (app.direct_post if direct else app.post)(path)(_answer)
    return ThreadedServer(app)


CASES = [
    ("POST", "/v1/chat/completions", {"authorization": "Bearer sk-1234"}, b'{"a": 1}'),
    ("POST", "/v1/chat/completions", {}, b'{"a": 1}'),  # no key: 401
    ("POST", "/v1/chat/completions", {"authorization": "Bearer sk-1234"}, b'{"a": '),  # bad JSON: 400
    ("POST", "/v1/chat/completions", {"authorization": "Bearer sk-1234"}, b'{"fail": "domain"}'),
    ("POST", "/v1/messages", {"x-api-key": "sk-1234"}, b'{"fail": "domain"}'),  # Anthropic's error shape
    ("POST", "/v1/chat/completions", {"authorization": "Bearer sk-1234"}, b'{"fail": "http"}'),
    ("POST", "/v1/chat/completions", {"authorization": "Bearer sk-1234"}, b'{"fail": "bug"}'),
    ("POST", "/v1/chat/completions", {"authorization": "Bearer sk-1234"}, b'{"a": "' + b"x" * 2000 + b'"}'),  # 413
    ("GET", "/v1/chat/completions", {}, b""),  # 405
    ("POST", "/v1/chat/completions/", {"authorization": "Bearer sk-1234"}, b"{}"),  # a trailing slash
]


def _ask(url: str, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[object, ...]:
    with httpx.Client(follow_redirects=False) as client:
        response = client.request(method, url + path, headers=headers, content=body)
    kept = {k: v.removeprefix(url) for k, v in response.headers.items()
            if k in ("content-type", "x-credits-used", "x-model-used", "location")}
    assert response.headers["x-request-id"].startswith("req_")
    return response.status_code, kept, response.content


@pytest.mark.parametrize(("method", "path", "headers", "body"), CASES)
def test_a_direct_route_answers_as_the_same_route_through_fastapi(method: str, path: str, headers: dict[str, str],
                                                                  body: bytes, caplog: pytest.LogCaptureFixture) -> None:
    answers, logs = [], []
    for direct in (False, True):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="tollway.http"), \
                changed_environment(TOLLWAY_MAX_BODY_BYTES="1000"), _served(direct) as server:
            answers.append(_ask(server.url, method, path, headers, body))
        logs.append([r.getMessage().split(" (request ")[0] for r in caplog.records if r.name == "tollway.http"])
    through_fastapi, direct = answers
    assert direct == through_fastapi
    assert logs[1] == logs[0]


def test_an_unexpected_failure_is_one_log_line_without_its_message() -> None:
    with _served(True) as server:
        status, _, content = _ask(server.url, "POST", "/v1/chat/completions",
                                  {"authorization": "Bearer sk-1234"}, b'{"fail": "bug"}')
    assert status == 500 and json.loads(content)["error"]["code"] == "internal_error"
    assert b"secret detail" not in content


def test_a_post_to_a_direct_route_never_enters_fastapis_stack() -> None:
    app = create_app("test")
    app.direct_post("/v1/chat/completions")(_answer)
    with ThreadedServer(app) as server:
        assert _ask(server.url, "POST", "/v1/chat/completions", {"authorization": "Bearer sk-1234"}, b"{}")[0] == 200
        assert app.middleware_stack is None  # built on the first request that goes through FastAPI
        assert _ask(server.url, "GET", "/v1/chat/completions", {}, b"")[0] == 405
        assert app.middleware_stack is not None
