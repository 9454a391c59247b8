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


def _known_codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip("\"'")).name
    except LookupError:
        return None  # an unknown declared charset is ignored, not an error: the fallbacks still apply


def looks_binary(data: bytes) -> bool:
    """NUL bytes do not occur in text outside UTF-16/32, which always carries a BOM here."""
    return b"\x00" in data[:8192]


def decode_text(data: bytes, charset: str | None = None) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                return data[len(bom):].decode(encoding, errors="replace")
    declared = _known_codec(charset)
    if declared and declared.startswith(("utf-16", "utf-32")):
        try:  # the only text with NUL bytes, and only when its charset says so
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    if looks_binary(data):
        raise UnsupportedMediaType(
            "The file is binary, not text; supported documents are PDF, DOCX, HTML, Markdown and plain text.")
    for encoding in [e for e in (declared, "utf-8", "cp1252") if e is not None]:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
