"""The local gateway loads each function's code on the first request for one of its routes."""

import asyncio
import logging
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tollway.local.gateway import TemplateGateway
from tollway.local.template import Template

GOOD_APP = '''
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

with open(Path(__file__).parent / "imports.log", "a") as log:
    log.write("imported\\n")
time.sleep({delay})  # a slow import, so first requests arriving together overlap


async def hello(request):
    return JSONResponse({{"function": "{name}"}})


app = Starlette(routes=[Route("{path}", hello)])
'''
BROKEN_APP = "import a_module_that_is_not_installed_anywhere\n"


def _function(root: Path, logical_id: str, path: str, code: str) -> str:
    folder = f"fn_{logical_id.lower()}_{uuid.uuid4().hex[:8]}"  # modules are named after the folder
    (root / folder).mkdir()
    (root / folder / "app.py").write_text(code)
    return (f"  {logical_id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: {folder}/\n"
            f"      Handler: app.handler\n      Events:\n        Get:\n          Type: Api\n"
            f"          Properties: {{Path: {path}, Method: get}}\n")


@pytest.fixture()
def functions(tmp_path: Path) -> Template:
    resources = [
        _function(tmp_path, "Good", "/good", GOOD_APP.format(delay=0.3, name="Good", path="/good")),
        _function(tmp_path, "Unused", "/unused", GOOD_APP.format(delay=0, name="Unused", path="/unused")),
        _function(tmp_path, "Broken", "/broken", BROKEN_APP),
    ]
    (tmp_path / "template.yaml").write_text("Resources:\n" + "".join(resources))
    return Template(tmp_path / "template.yaml")


def _module(template: Template, logical_id: str) -> str:
    route = next(r for r in template.routes() if r.function == logical_id)
    return f"tollway_function_{route.code_uri.name}"


def _code_folder(template: Template, logical_id: str) -> Path:
    return next(r for r in template.routes() if r.function == logical_id).code_uri


async def _get(gateway: TemplateGateway, *paths: str) -> list[httpx.Response]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://local") as client:
        return list(await asyncio.gather(*(client.get(path) for path in paths)))


def test_no_function_code_is_imported_before_its_first_request(functions: Template) -> None:
    gateway = TemplateGateway(functions)  # the broken function does not stop the gateway from starting
    assert len(gateway.routes) == 3
    assert not any(_module(functions, f) in sys.modules for f in ("Good", "Unused", "Broken"))
    [good] = asyncio.run(_get(gateway, "/good"))
    assert good.status_code == 200 and good.json() == {"function": "Good"}
    assert _module(functions, "Good") in sys.modules and _module(functions, "Unused") not in sys.modules


def test_first_requests_arriving_together_import_the_function_once(functions: Template) -> None:
    gateway = TemplateGateway(functions)
    answers = asyncio.run(_get(gateway, *["/good"] * 12))
    assert [a.status_code for a in answers] == [200] * 12
    assert (_code_folder(functions, "Good") / "imports.log").read_text() == "imported\n"


def test_a_function_that_fails_to_import_answers_500_and_logs_one_line(functions: Template,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    gateway = TemplateGateway(functions)
    with caplog.at_level(logging.ERROR, logger="tollway.local"):
        broken, good = asyncio.run(_get(gateway, "/broken", "/good"))
    assert good.status_code == 200
    assert broken.status_code == 500
    assert broken.json()["error"]["code"] == "function_unavailable"
    assert "Traceback" not in broken.text and "a_module_that_is_not_installed" not in broken.text
    [line] = [r.getMessage() for r in caplog.records]
    assert "Broken" in line and "ModuleNotFoundError" in line and "a_module_that_is_not_installed_anywhere" in line
    assert "\n" not in line


def test_a_function_that_failed_to_import_is_tried_again_on_the_next_request(functions: Template) -> None:
    gateway = TemplateGateway(functions)
    [first] = asyncio.run(_get(gateway, "/broken"))
    assert first.status_code == 500 and _module(functions, "Broken") not in sys.modules  # nothing half-run is kept
    (_code_folder(functions, "Broken") / "app.py").write_text(GOOD_APP.format(delay=0, name="Broken", path="/broken"))
    [second] = asyncio.run(_get(gateway, "/broken"))
    assert second.status_code == 200 and second.json() == {"function": "Broken"}


def test_unknown_paths_and_methods_still_answer_404_and_405_without_loading_anything(functions: Template) -> None:
    gateway = TemplateGateway(functions)

    async def calls() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://local") as client:
            return await client.get("/nowhere"), await client.post("/unused")

    missing, wrong_method = asyncio.run(calls())
    assert missing.status_code == 404 and wrong_method.status_code == 405
    assert _module(functions, "Unused") not in sys.modules
