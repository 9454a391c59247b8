"""The JSON reader refuses what json.loads accepts but nothing downstream can carry, saying where."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tollway.errors import InvalidRequest
from tollway.wire.json_text import MAX_DEPTH, JsonProblem, parse_json, parse_json_object


def nested(depth: int) -> str:
    """An object whose innermost list sits `depth` containers deep (the object itself is 1)."""
    return '{"a": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize(("raw", "code", "param"), [
    (rb'{"a": "\ud800"}', "invalid_json", "a"),
    (rb'{"a": ["x", "\udc00y"]}', "invalid_json", "a.1"),
    (rb'{"a": "\ud800\ud800"}', "invalid_json", "a"),  # two highs are no pair
    (rb'{"a": {"\udfff": 1}}', "invalid_json", "a"),  # in a name: the place is its object
    ('{"a": "\ud800"}'.encode("utf-8", "surrogatepass"), "invalid_json", None),  # encoded: not UTF-8
    (b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", "invalid_json", None),  # json.loads' RecursionError
    (nested(MAX_DEPTH + 1).encode(), "invalid_json", ("a" + ".0" * (MAX_DEPTH - 2))[:200] + "…"),  # cut short
    (b'{"max_tokens": ' + b"9" * 131 + b"}", "invalid_value", "max_tokens"),
    (b'{"n": [1, ' + b"9" * 5000 + b"]}", "invalid_value", "n.1"),  # past int()'s 4,300-digit limit
    (b'{"n": 18446744073709551616}', "invalid_value", "n"),
    (b'{"n": -9223372036854775809}', "invalid_value", "n"),
    (b'{"t": 1e400}', "invalid_value", "t"),
    (b'{"t": NaN}', "invalid_json", None),
    (b'{"t": -Infinity}', "invalid_json", None),
    (b"[1]", "invalid_json", None),
    (b"  ", "invalid_json", None),
])
def test_json_no_route_could_carry_is_a_400_saying_where(raw: bytes, code: str, param: str | None) -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_json_object(raw)
    assert (refused.value.status, refused.value.code, refused.value.param) == (400, code, param)
    assert "\ud800" not in refused.value.message  # the message itself must be encodable


@pytest.mark.parametrize("raw", [
    rb'{"emoji": "\ud83d\ude00", "text": "caf\u00e9"}',
    '{"emoji": "😀"}'.encode(),
    '{"x": "é"}'.encode("utf-16"),
    nested(MAX_DEPTH).encode(),
    b'{"n": 18446744073709551615, "m": -9223372036854775808, "f": 1.7e308, "g": 1e-400}',
    rb'{"s": "\\ud800 is only text here"}',
    b'{"s": "' + b"[" * 1000 + b'"}',
])
def test_json_that_is_fine_parses_as_json_loads_would(raw: bytes) -> None:
    assert parse_json_object(raw) == json.loads(raw)


def test_json_inside_a_string_is_checked_the_same_way() -> None:
    assert parse_json('{"city": "Paris"}') == {"city": "Paris"}
    for text in ['{"a": "\\ud800"}', "[" * 200 + "]" * 200, "1e999", "NaN"]:
        with pytest.raises(JsonProblem):
            parse_json(text)


# -- orjson reads first: it must read exactly what the reader above reads --------------------------

def _read(data: str | bytes, *, fast: bool) -> tuple[Any, ...]:
    import tollway.wire.json_text as json_text

    saved = json_text._orjson_reading
    if not fast:
        json_text._orjson_reading = lambda _: json_text._REFUSED
    try:
        value = parse_json(data)
        return ("value", repr(value))
    except JsonProblem as problem:
        return ("problem", problem.message, problem.path, problem.code)
    finally:
        json_text._orjson_reading = saved


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats(allow_nan=False)
    | st.text(), lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)
_PIECES = st.lists(st.sampled_from([
    "{", "}", "[", "]", ",", ":", '"a"', '"\\ud800"', '"\\udc00"', '"\\ud83d\\ude00"', "1", "-0", "1e400", "1.5",
    "NaN", "Infinity", "true", "null", " ", "\n", '"\x01"', "18446744073709551616", "9223372036854775807",
    '"é"', "\ufeff", "01", '"\\u0000"', "[" * 130, "]" * 130]), max_size=12).map("".join)


@settings(max_examples=1500, deadline=None)
@given(value=_VALUES)
def test_the_fast_reader_reads_any_json_text_exactly_as_the_exact_reader(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    for data in (text, text.encode("utf-8", "surrogatepass")):
        assert _read(data, fast=True) == _read(data, fast=False)


@settings(max_examples=1500, deadline=None)
@given(text=_PIECES)
def test_the_fast_reader_refuses_and_accepts_broken_text_exactly_as_the_exact_reader(text: str) -> None:
    for data in (text, text.encode("utf-8", "surrogatepass")):
        assert _read(data, fast=True) == _read(data, fast=False)
