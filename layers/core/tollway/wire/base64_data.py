"""Base64 as clients send it: plain, line-wrapped, URL-safe, or a `data:<type>;base64,` URL.

    >>> decode_base64("data:image/png;base64,iVBORw0KGgo=")
    (b'\\x89PNG\\r\\n\\x1a\\n', 'image/png')
    >>> decode_base64("aGVsbG8")          # padding is optional
    (b'hello', None)
"""

from __future__ import annotations

import base64
import binascii
import re

# `data:application/pdf;base64,....` as OpenAI's `file_data` sends it; the prefix is optional.
DATA_URL = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?:;[^,;]*)*;base64,", re.IGNORECASE)


def data_url_type(value: str) -> str | None:
    """The media type a data: URL declares, if any."""
    match = DATA_URL.match(value)
    return match.group("type") if match and match.group("type") else None


def decode_base64(value: str) -> tuple[bytes, str | None]:
    """The bytes and the declared media type; ValueError("is not valid base64") if it is not base64."""
    declared = data_url_type(value)
    encoded = "".join(DATA_URL.sub("", value, count=1).split())  # line-wrapped (MIME style) is still base64
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        return base64.b64decode(padded, validate=True), declared
    except (binascii.Error, ValueError):
        try:  # the URL-safe alphabet (- and _) is common from browsers and JWT-style encoders
            return base64.b64decode(padded, altchars=b"-_", validate=True), declared
        except (binascii.Error, ValueError):
            raise ValueError("is not valid base64") from None
