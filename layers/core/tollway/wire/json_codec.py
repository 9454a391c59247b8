"""JSON at orjson's speed for what the gateway relays (upstream answers in, response bodies out).

    loads(b'{"choices": []}')          # any JSON text → value; ValueError if it is not JSON
    dumps({"id": "chatcmpl-1"})        # → compact UTF-8 bytes, as the standard library writes them

orjson parses and writes several times faster than the standard library, but does not take all
it takes: it refuses lone surrogates, NaN and numbers that overflow a double, and reads an integer
beyond 64 bits as a float. So each function falls back to the standard library where orjson
would differ — `loads` for text orjson refuses (UTF-16, a BOM, a lone surrogate: accepted as
before) or that holds 19 digits in a row (embeddings' long fractions do: read as before), `dumps` for values it cannot write (integers beyond 64
bits) — and one rule is added: NaN and infinities are not JSON, so `loads` refuses them (an
upstream answer holding one is "invalid JSON", not a value nothing can write back out).

Request bodies are read by `json_text`, which refuses more (see there).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

_SURROGATE = re.compile("[\ud800-\udfff]")
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN_DIGITS = b"0" * 19


def holds_long_digit_run(data: bytes | str) -> bool:
    """19 digits in a row somewhere: maybe an integer beyond 64 bits, which orjson would read as a
    float (or only a long fraction, or digits in a string: the standard library then reads it, as
    it always did). A byte translation and a substring search: a few ns a byte, no regex."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    return _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_ZEROS)


def loads(data: bytes | str) -> Any:
    if not holds_long_digit_run(data):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # maybe JSON orjson will not read (UTF-16, a BOM, a lone surrogate): the stdlib says
    return json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, a lone surrogate, a key that is no str
        return utf8_json(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def utf8_json(text: str) -> bytes:
    """JSON text as UTF-8. A lone surrogate (an upstream may send `"\\ud800"`: JSON allows the escape,
    and our parsers keep it) has no UTF-8 form, so it is written back as the same escape: the bytes
    are valid UTF-8 and parse to the very string received. It can only stand inside a JSON string."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text).encode("utf-8")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large for a double")
    return value
