"""orjson reads upstream answers and writes response bodies; what it will not take goes to the
standard library, so nothing that worked before stops working, and NaN is never passed on."""

from __future__ import annotations

import json
import math

import pytest

from tollway.http.responses import FastJSONResponse
from tollway.wire.json_codec import dumps, loads


@pytest.mark.parametrize("data", [
    b'{"id": "chatcmpl-1", "choices": [{"message": {"content": "caf\\u00e9 \\ud83d\\ude00"}}], "n": 1.5e-05}',
    '{"x": "é"}'.encode("utf-16"),  # not UTF-8: orjson refuses, json.loads reads it
    b'\xef\xbb\xbf{"bom": true}',
    b'{"lone": "\\ud800"}',  # orjson refuses a lone surrogate; json.loads keeps it, as before
    b'{"big": 18446744073709551616}',
])
def test_an_upstream_answer_reads_as_json_loads_reads_it(data: bytes) -> None:
    assert repr(loads(data)) == repr(json.loads(data))


@pytest.mark.parametrize("data", [b'{"x": NaN}', b'{"x": -Infinity}', b'{"x": 1e400}', b"{", b""])
def test_not_json_and_numbers_no_encoder_can_write_back_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        loads(data)


@pytest.mark.parametrize("value", [
    {"a": 2e-05, "b": [1, None, True], "c": "é\u2028\x1f", "d": {"e": -0.0}},
    {"big": 2**64 + 1},  # beyond orjson: written by the standard library
    {1: "int key"},
])
def test_what_is_written_reads_back_as_what_the_standard_library_would_write(value: object) -> None:
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(dumps(value)) == json.loads(expected)
    assert json.loads(FastJSONResponse(value).body) == json.loads(expected)


def test_a_response_holding_a_lone_surrogate_and_a_big_integer_is_written_as_json_that_parses_back() -> None:
    # An upstream may send "\ud800" (valid JSON): the answer carries it on as the same escape, not a 500.
    body = FastJSONResponse({"lone": "\ud800", "big": 2**70}).body
    assert b'"\\ud800"' in body and json.loads(body.decode("utf-8")) == {"lone": "\ud800", "big": 2**70}
    assert math.isnan(float("nan"))  # NaN never reaches a response: loads refuses it above


def test_only_text_with_19_digits_in_a_row_is_left_to_the_standard_library() -> None:
    from tollway.wire.json_codec import holds_long_digit_run

    assert not holds_long_digit_run(b'{"n": 184467440737095516, "f": 0.123456789012345678}')
    assert holds_long_digit_run(b'{"id": -12345678901234567890}')
    assert holds_long_digit_run('{"s": "1234567890123456789\ud800"}')
