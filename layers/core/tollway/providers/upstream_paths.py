"""Request targets for upstream calls, built so that text from a client (or from an upstream's own
answer) can never steer a request to another path of the provider's API.

    http.path("/models/{model}:embedContent", model=body["model"])         # 400 naming `model` if unsafe
    http.path("/accounts/{account}/ai/run/{model:path}", account=a, model="@cf/meta/llama")
    http.returned_path("/predictions/{id}/cancel", id=prediction_id)         # an id the upstream returned
    await http.send("POST", "/embeddings")                                  # a constant path needs nothing

A `{name}` placeholder takes one path segment, `{name:path}` a namespaced id (segments joined by
`/`); each value must match `tollway.upstream_ids` and is percent-encoded. A plain string is taken
only as a constant path (no values, no dots as segments, no query). Whatever was built, UpstreamHTTP
checks the final URL once more before sending: same origin as the base URL, under its path, with no
dot segment in any encoding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

import httpx

from tollway.errors import InvalidRequest, TollwayError
from tollway.upstream_ids import DOT_SEGMENTS, encode_id, id_problem

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(:path)?\}")
# A constant path: what adapters write literally (`/v1/messages/count_tokens`, `/chat/completions`).
_CONSTANT = re.compile(r"(?:/[A-Za-z0-9._-]+)+")
# Template text around placeholders (`:embedContent`, `?alt=sse`): never a value, so only checked for shape.
_TEMPLATE = re.compile(r"/[A-Za-z0-9._@:/{}-]*(?:\?[A-Za-z0-9._=&-]*)?")


@dataclass(frozen=True)
class UpstreamPath:
    """A request target whose every value was checked and encoded: a path under the base URL, or an
    absolute URL an upstream returned (which UpstreamHTTP still confines to its base URL)."""

    target: str


def fill(template: str, values: Mapping[str, str], refuse: Callable[[str, str], TollwayError]) -> UpstreamPath:
    """`template` with each placeholder replaced by its encoded value; `refuse(name, problem)` is the
    error raised for a value that is not a safe id."""
    if _TEMPLATE.fullmatch(template) is None:
        raise ValueError(f"not an upstream path template: {template!r}")
    path, mark, query = template.partition("?")
    used: set[str] = set()

    def value(match: re.Match[str]) -> str:
        name, namespaced = match[1], match[2] is not None
        if name not in values:
            raise ValueError(f"no value for {{{name}}} in {template!r}")
        used.add(name)
        problem = id_problem(values[name], namespaced=namespaced)
        if problem is not None:
            raise refuse(name, problem)
        return encode_id(values[name], namespaced=namespaced)

    filled = _PLACEHOLDER.sub(value, path)
    if "{" in filled or "}" in filled or set(values) - used:
        raise ValueError(f"placeholders and values of {template!r} do not match")
    return UpstreamPath(filled + mark + query)


def client_value_refused(name: str, problem: str) -> TollwayError:
    return InvalidRequest(f"{name}: {problem}", code="invalid_value", param=name)


def constant(path: str, provider: str) -> UpstreamPath:
    """A path written in an adapter: anything that does not look like one was built from data."""
    if _CONSTANT.fullmatch(path) is None or any(s in DOT_SEGMENTS for s in path.split("/")):
        raise unsafe_target(provider)
    return UpstreamPath(path)


def unsafe_target(provider: str) -> TollwayError:
    return InvalidRequest(f"The request cannot be sent to {provider}: it would leave the provider's API",
                          code="invalid_upstream_path")


def within_base(url: httpx.URL, base_url: httpx.URL) -> bool:
    """Whether `url` is on the base URL's origin and under its path, with no dot segment (raw or
    percent-encoded) and no encoded separator an upstream might decode into one."""
    if (url.scheme, url.host, url.port) != (base_url.scheme, base_url.host, base_url.port):
        return False
    raw = url.raw_path.split(b"?", 1)[0].decode("ascii", "replace")
    prefix = base_url.raw_path.split(b"?", 1)[0].decode("ascii", "replace").rstrip("/") + "/"
    if not (raw + "/").startswith(prefix):
        return False
    lowered = raw.lower()
    if "%2f" in lowered or "%5c" in lowered or "\\" in raw:
        return False
    return not any(unquote(unquote(segment)) in DOT_SEGMENTS for segment in raw.split("/"))
