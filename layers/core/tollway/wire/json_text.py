"""JSON from clients as the gateway may safely carry it: request bodies, and JSON inside their strings.

    body = parse_json_object(raw)        # a request body's bytes → dict, or InvalidRequest (400)
    value = parse_json(arguments)        # a tool call's `arguments` → any value, or JsonProblem
    has_lone_surrogate("a\\ud800")       # True: text no encoder will write back out

Python's json module accepts more than the rest of the gateway can carry, and each of these used
to surface far from the reader as a 500 (or, after admission, as a usage record of a "client
disconnect"):

- a lone UTF-16 surrogate (`"\\ud800"`): a valid JSON escape but not Unicode; httpx, boto3 and
  the token counter all raise when they encode it;
- nesting thousands deep: json.loads raises RecursionError, and anything a little shallower
  reaches recursive code further on. MAX_DEPTH (serde_json's default limit) is far deeper than any
  real request: OpenAI's structured outputs allow 10 levels of schema, about 25 of JSON;
- NaN, Infinity, and numbers such as 1e400 that parse as infinity: not JSON numbers at all;
- integers of any length: no API field takes more than 64 bits, and DynamoDB stores 38 digits.

Numbers are checked as they are parsed (json's hooks: a call per number). Surrogates and depth
need a walk over the parsed value, which costs a little per item, so it runs only when the text
could hold one (an unpaired surrogate escape, more brackets than MAX_DEPTH): most bodies cannot.

Most text is read by orjson first, several times faster, and taken as it reads it when that is
what the reader below would return: orjson refuses lone surrogates, NaN, infinities and numbers
that overflow a double by itself, nests at most 1024 deep (deeper than MAX_DEPTH is caught by the
same count of brackets), but reads an integer beyond 64 bits as a float — so text holding 19
digits in a row goes to the reader below, as does anything orjson refuses (it then says what
is wrong and where, or accepts what json.loads accepts and orjson does not: UTF-16, a BOM).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from tollway.errors import InvalidRequest
from tollway.wire.json_codec import holds_long_digit_run

MAX_DEPTH = 128
MIN_INT, MAX_INT = -(2**63), 2**64 - 1  # int64 and uint64 both fit
_SURROGATE = re.compile("[\ud800-\udfff]")
# A surrogate escape not in a high-low pair: the walk that says where runs only if there is one.
_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
                                    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F]")
_MAX_PATH_CHARS = 200

Path = tuple[str | int, ...]


class JsonProblem(ValueError):
    """Text that is not JSON the gateway can carry; `path` is where in the value (empty: the whole)."""

    def __init__(self, message: str, path: Path = (), code: str = "invalid_json") -> None:
        super().__init__(message)
        self.message, self.path, self.code = message, path, code

    @property
    def param(self) -> str | None:
        return param_of(self.path) if self.path else None


def has_lone_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def param_of(path: Path) -> str:
    joined = ".".join(str(p) for p in path)
    return joined if len(joined) <= _MAX_PATH_CHARS else joined[:_MAX_PATH_CHARS] + "…"


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """A request body: a JSON object the gateway can carry, or a 400 saying what is wrong and where."""
    if not raw.strip():
        raise InvalidRequest("Request body is empty; expected a JSON object", code="invalid_json")
    try:
        body = parse_json(raw)
    except JsonProblem as problem:
        where = f" (at {problem.param})" if problem.param else ""
        raise InvalidRequest(f"Request body {problem.message}{where}", code=problem.code, param=problem.param) from None
    if not isinstance(body, dict):
        raise InvalidRequest("Request body must be a JSON object", code="invalid_json")
    return body


def parse_json(data: str | bytes) -> Any:
    """json.loads, refusing (JsonProblem, a ValueError) what json.loads lets through but nothing can carry."""
    fast = _orjson_reading(data)
    if fast is not _REFUSED:
        return fast
    if isinstance(data, bytes):
        try:
            data = data.decode(json.detect_encoding(data))
        except UnicodeDecodeError:
            raise JsonProblem("is not valid JSON: it is not UTF-8") from None
    try:
        value = json.loads(data, parse_constant=_no_constants, parse_int=_int, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise JsonProblem(f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise JsonProblem(f"nests deeper than {MAX_DEPTH} levels") from None
    except _OutOfRange as exc:
        raise _located(data, exc) from None
    if (("\\ud" in data or "\\uD" in data) and _LONE_SURROGATE_ESCAPE.search(data)) or (
            data.count("[") + data.count("{") > MAX_DEPTH and _depth(value) > MAX_DEPTH):
        _check(value)
    return value


_REFUSED = object()


def _orjson_reading(data: str | bytes) -> Any:
    """orjson's value for `data` when it is exactly what the reader below would return, else _REFUSED."""
    if holds_long_digit_run(data):
        return _REFUSED
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _REFUSED
    brackets = data.count(b"[") + data.count(b"{") if isinstance(data, bytes) else data.count("[") + data.count("{")
    if brackets > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        return _REFUSED
    return value


class _OutOfRange(JsonProblem):
    pass


def _no_constants(name: str) -> Any:
    raise JsonProblem(f"is not valid JSON: {name} is not a JSON value")


def _int(text: str) -> int:
    # Both limits have 20 characters; longer text is out of range (and int() refuses 4,300 digits).
    if len(text) > 20 or (len(text) > 18 and not MIN_INT <= int(text) <= MAX_INT):
        raise _OutOfRange("holds an integer that does not fit in 64 bits", code="invalid_value")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _OutOfRange("holds a number too large for a double", code="invalid_value")
    return value


def _located(data: str, problem: JsonProblem) -> JsonProblem:
    """The same problem, with where it is: found by parsing again without the hooks (rare: errors only)."""
    try:
        _check(json.loads(data, parse_int=lambda text: int(text) if len(text) <= 20 else MAX_INT + 1))
    except JsonProblem as located:
        return located
    except (ValueError, RecursionError):
        pass
    return problem


def _depth(value: Any) -> int:
    """How deep the value nests, level by level (a walk per item would cost several times more)."""
    level, depth = [value], 0
    while level and depth <= MAX_DEPTH:
        depth += 1
        level = [item for container in level
                 for item in (container.values() if type(container) is dict else container)
                 if type(item) is dict or type(item) is list]
    return depth


def _check(value: Any) -> None:
    """Walk the containers (without recursion: the depth is what is being checked)."""
    scalar = not isinstance(value, (dict, list))
    stack: list[tuple[dict[str, Any] | list[Any], Path]] = [([value] if scalar else value, ())]
    while stack:
        container, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            raise JsonProblem(f"nests deeper than {MAX_DEPTH} levels", path)
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for name, item in items:
            if isinstance(name, str) and has_lone_surrogate(name):
                raise _bad_text(path, "a name")
            where: Path = () if scalar else (*path, name)
            if isinstance(item, (dict, list)):
                stack.append((item, where))
            elif isinstance(item, str):
                if has_lone_surrogate(item):
                    raise _bad_text(where, "a string")
            elif isinstance(item, bool):
                continue
            elif isinstance(item, int):
                if not MIN_INT <= item <= MAX_INT:
                    raise JsonProblem("holds an integer that does not fit in 64 bits", where, code="invalid_value")
            elif isinstance(item, float) and not math.isfinite(item):
                raise JsonProblem("holds a number too large for a double", where, code="invalid_value")


def _bad_text(path: Path, what: str) -> JsonProblem:
    return JsonProblem(f"is not valid JSON: {what} holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff "
                       "escape); text must be valid Unicode", path)
