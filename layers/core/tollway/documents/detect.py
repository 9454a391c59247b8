"""Which format an upload is: magic bytes first, then the declared content type, then the extension.

Magic bytes are facts; a content type or a file name is a claim. A claim that contradicts the bytes
(a PDF sent as `text/html`) is refused with 415 rather than guessed around, and so is a claim of a
type we cannot read. Generic claims (`application/octet-stream`) carry no information and are ignored.

    >>> detect_format(b"%PDF-1.7 ...", filename="report.pdf").format
    'pdf'
    >>> detect_format(b"# Title", content_type="text/markdown; charset=utf-8")
    Detected(format='markdown', charset='utf-8')
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final, Literal

from tollway.documents.model import DocumentFormat
from tollway.errors import InvalidRequest, UnsupportedMediaType

SUPPORTED = "PDF, DOCX, HTML, Markdown and plain text"
_UNKNOWN: Final = "unknown"
Claim = DocumentFormat | Literal["unknown"] | None

_CONTENT_TYPES: dict[str, DocumentFormat] = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
    "application/json": "text",
}
_GENERIC_TYPES = frozenset({
    "", "application/octet-stream", "binary/octet-stream", "application/unknown",
    "application/zip", "application/x-zip-compressed", "application/force-download",
})
_EXTENSIONS: dict[str, DocumentFormat] = {
    ".pdf": "pdf", ".docx": "docx",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".txt": "text", ".text": "text", ".log": "text", ".csv": "text", ".tsv": "text",
    ".json": "text", ".rst": "text",
}
# Formats people upload by mistake, named so the error says what the file is.
_FOREIGN_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (8, b"WEBP", "a WebP image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.doc/.xls/.ppt); save it as .docx or PDF"),
    (0, b"{\\rtf", "an RTF document; save it as .docx or PDF"),
    (0, b"%!PS", "a PostScript file"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"Rar!", "a RAR archive"),
    (0, b"ID3", "an MP3 audio file"),
    (0, b"OggS", "an Ogg media file"),
    (0, b"fLaC", "a FLAC audio file"),
    (4, b"ftyp", "an MP4/MOV media file"),
    (0, b"\x7fELF", "an executable"),
    (0, b"MZ", "a Windows executable"),
)


@dataclass(frozen=True)
class Detected:
    format: DocumentFormat
    charset: str | None = None


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """`text/html; charset=latin-1` → ("text/html", "latin-1")."""
    if not content_type:
        return "", None
    kind, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return kind.strip().lower(), charset


def _claim_from_type(media_type: str) -> Claim:
    if media_type in _GENERIC_TYPES:
        return None
    if media_type in _CONTENT_TYPES:
        return _CONTENT_TYPES[media_type]
    return "text" if media_type.startswith("text/") else _UNKNOWN


def _claim_from_name(filename: str | None) -> Claim:
    if not filename:
        return None
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if not suffix:
        return None
    return _EXTENSIONS.get(suffix, _UNKNOWN)


def _zip_kind(data: bytes) -> DocumentFormat | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InvalidRequest("The file looks like a ZIP/DOCX archive but cannot be read: it is corrupt or truncated.",
                             code="invalid_document") from exc
    return "docx" if "word/document.xml" in names else None


def _from_magic(data: bytes) -> DocumentFormat | None:
    # The PDF header may follow some junk; readers accept it within the first kilobyte.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind is None:
            raise UnsupportedMediaType(f"The file is a ZIP archive but not a Word document; supported: {SUPPORTED}.")
        return kind
    for offset, magic, label in _FOREIGN_MAGIC:
        if data[offset:offset + len(magic)] == magic:
            raise UnsupportedMediaType(f"The file is {label}; supported documents: {SUPPORTED}.")
    return None


def _sniff_text(data: bytes) -> DocumentFormat:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or (head.startswith(b"<") and b"<body" in head):
        return "html"
    return "text"


_NAMES = {"pdf": "PDF", "docx": "DOCX", "html": "HTML", "markdown": "Markdown", "text": "plain text"}


def _describe(claim: Claim, raw: str) -> str:
    return f"an unsupported type ({raw})" if claim == _UNKNOWN else _NAMES[str(claim)]


def _mismatch(message: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(f"{message}; send the right type or leave it out.", code="document_type_mismatch")


def detect_format(data: bytes, *, filename: str | None = None, content_type: str | None = None) -> Detected:
    media_type, charset = _media_type(content_type)
    by_type, by_name = _claim_from_type(media_type), _claim_from_name(filename)
    magic = _from_magic(data)
    if magic is not None:
        for claim, source, raw in ((by_type, "content type", media_type), (by_name, "file name", filename or "")):
            if claim is not None and claim != magic:
                raise _mismatch(f"The {source} says {_describe(claim, raw)}, but the file is a {_NAMES[magic]}")
        return Detected(magic, charset)

    # No binary signature: the bytes are text (or something we do not recognise).
    for claim, source in ((by_type, "content type"), (by_name, "file name")):
        if claim in ("pdf", "docx"):
            raise InvalidRequest(f"The {source} says {_NAMES[str(claim)]}, but the file is not a valid "
                                 f"{_NAMES[str(claim)]}: it is corrupt, truncated or mislabelled.",
                                 code="invalid_document")
    if by_type == _UNKNOWN:
        raise UnsupportedMediaType(f"Content type {media_type} is not supported; supported documents: {SUPPORTED}.")
    if by_name == _UNKNOWN and by_type is None:
        raise UnsupportedMediaType(f"Files like {PurePosixPath(filename or '').name!r} are not supported; "
                                   f"supported documents: {SUPPORTED}.")
    claims = {c for c in (by_type, by_name) if c not in (None, _UNKNOWN)}
    # "text" is the generic member of the text family: a more specific claim (html, markdown) wins.
    specific = claims - {"text"}
    if len(specific) > 1:
        raise _mismatch(f"The content type says {_describe(by_type, media_type)} but the file name says "
                        f"{_describe(by_name, filename or '')}")
    if specific:
        return Detected(specific.pop(), charset)  # type: ignore[arg-type]
    if claims:
        return Detected("text", charset)
    return Detected(_sniff_text(data), charset)
