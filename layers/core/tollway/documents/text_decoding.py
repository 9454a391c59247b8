"""Bytes → str for text formats: a byte-order mark first, then the declared charset, then UTF-8,
then Windows-1252 (what "ANSI" text from Windows usually is), then Latin-1, which never fails.

    >>> decode_text(b"\\xef\\xbb\\xbfcaf\\xc3\\xa9")
    'café'
    >>> decode_text(b"caf\\xe9")          # not UTF-8: Windows-1252
    'café'
"""

from __future__ import annotations

import codecs

from tollway.errors import UnsupportedMediaType

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


# Codecs Python decodes bytes with that are not character sets: punycode decodes in quadratic time,
# `undefined` always fails, the escapes and IDNA interpret the text rather than decode it.
_NOT_CHARSETS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"})


def _known_codec(charset: str | None) -> str | None:
    """The declared charset's codec, if it is a character set. Anything else (unknown, or a codec
    such as zlib or punycode that a client can name too) is ignored, not an error: the fallbacks
    still apply."""
    if not charset:
        return None
    try:
        name = codecs.lookup(charset.strip().strip("\"'")).name
        if name in _NOT_CHARSETS:
            return None
        b"x".decode(name, "ignore")  # LookupError for the codecs that are not text encodings (zlib, base64…)
    except (LookupError, UnicodeError):
        return None
    return name


def looks_binary(data: bytes) -> bool:
    """NUL bytes do not occur in text outside UTF-16/32, which always carries a BOM here."""
    return b"\x00" in data[:8192]


def decode_text(data: bytes, charset: str | None = None) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeError:
                return data[len(bom):].decode(encoding, errors="replace")
    declared = _known_codec(charset)
    if declared and declared.startswith(("utf-16", "utf-32")):
        try:  # the only text with NUL bytes, and only when its charset says so
            return data.decode(declared)
        except UnicodeError:
            pass
    if looks_binary(data):
        raise UnsupportedMediaType(
            "The file is binary, not text; supported documents are PDF, DOCX, HTML, Markdown and plain text.")
    for encoding in [e for e in (declared, "utf-8", "cp1252") if e is not None]:
        try:
            return data.decode(encoding)
        except UnicodeError:
            continue
    return data.decode("latin-1")
