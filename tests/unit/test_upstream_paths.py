"""The grammar of ids in upstream URLs, the path templates built from it, the check that every
request stays under its base URL, and catalog patterns that never cross a path segment."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.environment import changed_environment
from tests.fakes.server import ThreadedServer
from tollway.catalog import resolve, served_as
from tollway.catalog.custom_upstreams import CustomUpstream
from tollway.errors import InvalidRequest, ModelNotFound, TollwayError, UpstreamError
from tollway.providers.http_upstream import UpstreamConfig, UpstreamHTTP
from tollway.providers.upstream_paths import within_base
from tollway.upstream_ids import id_problem, is_id

BASE = "https://api.example.com/client/v4"
# Characters that matter to URLs, so hypothesis tries them far more often than any text would.
HOSTILE = st.lists(st.sampled_from(list("./%?#@:\\;&=+ ~-_aZ09") + ["%2e", "%2E", "%2f", "..", "\x00", "é"]),
                   max_size=20).map("".join)
ANY_TEXT = st.one_of(HOSTILE, st.text(max_size=40))


def _http(base_url: str = BASE) -> UpstreamHTTP:
    return UpstreamHTTP(UpstreamConfig("example", None, None, base_url))


def _built(http: UpstreamHTTP, template: str, **values: str) -> httpx.URL:
    """The URL UpstreamHTTP would send to (under a base URL as its client reads it; nothing is sent)."""
    return http.url(BASE + "/", http.path(template, **values))


def _under_base_without_dot_segments(url: httpx.URL, base_url: str = BASE) -> bool:
    base = httpx.URL(base_url)
    path = url.raw_path.split(b"?", 1)[0].decode()
    segments = path.split("/")
    return (url.host == base.host and path.startswith(base.raw_path.decode() + "/")
            and not any(unquote(unquote(s)) in (".", "..") for s in segments))


@settings(max_examples=300, deadline=None)
@given(model=ANY_TEXT)
def test_any_model_text_is_refused_or_stays_one_segment_under_the_base_path(model: str) -> None:
    http = _http()
    try:
        url = _built(http, "/models/{model}:embedContent", model=model)
    except InvalidRequest as refused:
        assert refused.param == "model" and refused.status == 400
        return
    assert _under_base_without_dot_segments(url)
    assert url.raw_path.decode() == f"/client/v4/models/{model}:embedContent"  # one segment, unchanged


@settings(max_examples=300, deadline=None)
@given(account=ANY_TEXT, model=ANY_TEXT)
def test_any_namespaced_model_is_refused_or_stays_under_the_run_path(account: str, model: str) -> None:
    http = _http()
    try:
        url = _built(http, "/accounts/{account}/ai/run/{model:path}", account=account, model=model)
    except InvalidRequest as refused:
        assert refused.param in ("account", "model")
        return
    assert _under_base_without_dot_segments(url)
    assert url.raw_path.decode() == f"/client/v4/accounts/{account}/ai/run/{model}"


@pytest.mark.parametrize(("value", "namespaced", "fine"), [
    ("gemini-embedding-001", False, True),
    ("@cf/stabilityai/stable-diffusion-xl-base-1.0", True, True),
    ("acme/clip-maker:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa", True, True),
    ("local/echo", True, True),
    ("@cf/stabilityai/x", False, False),  # a single segment never holds /
    ("..", False, False), (".", False, False), ("a/../b", True, False), ("a/./b", True, False),
    ("a//b", True, False), ("/a", True, False), ("a/", True, False), ("", False, False),
    ("%2e%2e", False, False), ("a%2fb", False, False), ("a?b", False, False), ("a#b", False, False),
    ("a b", False, False), ("a\\b", False, False), ("é", False, False), ("a" * 513, False, False),
])
def test_the_id_grammar(value: str, namespaced: bool, fine: bool) -> None:
    assert is_id(value, namespaced=namespaced) is fine
    assert (id_problem(value, namespaced=namespaced) is None) is fine


@pytest.mark.parametrize("url", [
    "https://api.example.com/client/v4/accounts/a/ai/run/@cf/x/y",
    "https://api.example.com/client/v4",
])
def test_urls_under_the_base_path_are_within_it(url: str) -> None:
    assert within_base(httpx.URL(url), httpx.URL(BASE + "/"))


@pytest.mark.parametrize("url", [
    "https://other.example.com/client/v4/x",  # another host
    "http://api.example.com/client/v4/x",  # another scheme
    "https://api.example.com:8443/client/v4/x",  # another port
    "https://api.example.com/client/v4x/zones",  # a sibling that shares the prefix's letters
    "https://api.example.com/zones/z/purge_cache",  # above the base path
    "https://api.example.com/client/v4/%2e%2e/zones",  # an encoded dot segment
    "https://api.example.com/client/v4/%252e%252e/zones",  # encoded twice
    "https://api.example.com/client/v4/a%2F..%2F..%2Fzones",  # an encoded separator
])
def test_urls_that_leave_the_base_path_are_refused(url: str) -> None:
    assert not within_base(httpx.URL(url), httpx.URL(BASE + "/"))


@pytest.mark.parametrize("path", ["/models/../../zones", "/a/./b", "/models/x?y", "/models/%2e%2e", "models", "/a b"])
def test_a_plain_string_is_taken_only_as_a_constant_path(path: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        _http().url(BASE + "/", path)
    assert refused.value.code == "invalid_upstream_path"


def test_an_id_an_upstream_returned_is_its_fault_when_unsafe() -> None:
    with pytest.raises(UpstreamError) as refused:
        _http().returned_path("/predictions/{id}", id="../../account")
    assert refused.value.status == 502 and "../" not in refused.value.message


def test_templates_and_values_must_match() -> None:
    with pytest.raises(ValueError):
        _http().path("/models/{model}", voice="x")
    with pytest.raises(ValueError):
        _http().path("/models/{model}")


def test_a_client_with_credentials_cannot_be_let_out_of_its_base_url() -> None:
    with pytest.raises(ValueError):
        UpstreamHTTP(UpstreamConfig("example", "EXAMPLE_API_KEY", None, BASE), confined=False)


def test_an_absolute_url_elsewhere_is_never_sent_with_the_key() -> None:
    seen: list[str] = []

    async def anything(request: Request) -> JSONResponse:
        seen.append(request.url.path)
        return JSONResponse({})

    app = Starlette(routes=[Route("/{rest:path}", anything, methods=["GET"])])
    with ThreadedServer(app) as api, ThreadedServer(app) as elsewhere, \
            changed_environment(EXAMPLE_API_KEY="sk-example-key-never-leaves", EXAMPLE_BASE_URL=api.url + "/v1"):
        http = UpstreamHTTP(UpstreamConfig.built_in("example", "EXAMPLE", "https://unused.example"))

        async def fetch(url: str) -> None:
            await http.send("GET", http.returned_url(url))

        for url in (elsewhere.url + "/v1/files/1", api.url + "/v2/files/1", api.url + "/v1/../admin"):
            with pytest.raises(TollwayError):
                asyncio.run(fetch(url))
        assert seen == []
        asyncio.run(fetch(api.url + "/v1/files/1"))
        assert seen == ["/v1/files/1"]


# -- catalog patterns ------------------------------------------------------------------------------

@pytest.mark.parametrize(("model", "kind", "provider"), [
    ("@cf/stabilityai/stable-diffusion-xl-base-1.0", "image", "workers_ai"),
    ("@cf/bytedance/stable-diffusion-xl-lightning", "image", "workers_ai"),
    ("@cf/bytedance", "image", None),
    ("@cf/a/b/c", "image", None),
    ("@cf/../../../../zones/ZONE/purge_cache", "image", None),
    ("gemini-embedding-x/../../v1beta/cachedContents?", "embedding", None),
    ("gemini-embedding-x?", "embedding", None),
    ("gemini-embedding-x#", "embedding", None),
    ("gemini-embedding-001", "embedding", "gemini"),
    ("gpt-4o/../../admin", "chat", None),
    ("gemini-2.5-flash/../../x", "chat", None),
    ("eleven_x/../../v1/voices/add", "speech", None),
    ("replicate/acme/clip-maker", "video", "replicate"),
    ("replicate/acme/clip-maker:5c7d5dc6", "video", "replicate"),
    ("replicate/acme/../clip", "video", None),
    ("replicate/acme/a/b", "video", None),
])
def test_catalog_patterns_never_cross_a_path_segment(model: str, kind: str, provider: str | None) -> None:
    spec = resolve(model, kind)  # type: ignore[arg-type]
    assert (spec.provider if spec else None) == provider


@settings(max_examples=300, deadline=None)
@given(name=ANY_TEXT, prefix=st.sampled_from(["gemini-embedding-", "@cf/", "replicate/", "eleven_", "gpt-", ""]))
def test_a_name_a_pattern_matches_is_always_a_well_formed_id(name: str, prefix: str) -> None:
    for kind in ("chat", "embedding", "image", "speech", "video", "music", "rerank"):
        spec = resolve(prefix + name, kind)  # type: ignore[arg-type]
        if spec is not None and not spec.listed:
            assert is_id(prefix + name, namespaced=True)


def test_a_malformed_model_name_is_a_400_and_an_unknown_one_a_404() -> None:
    with pytest.raises(InvalidRequest) as malformed:
        served_as("gemini-embedding-x/../../v1beta/cachedContents?", "embedding")
    assert malformed.value.param == "model"
    with pytest.raises(ModelNotFound):
        served_as("no-such-embedding-model", "embedding")


def test_a_declared_prefix_takes_only_a_well_formed_rest() -> None:
    ollama = CustomUpstream(name="ollama", base_url="http://127.0.0.1:11434/v1", prefixes=("ollama/",),
                            strip_prefix=True)
    assert ollama.spec_for("ollama/llama3.2:3b") is not None
    assert ollama.spec_for("ollama/hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M") is not None
    for model in ("ollama/../../admin", "ollama/x?y", "ollama/", "ollama//x"):
        assert ollama.spec_for(model) is None
