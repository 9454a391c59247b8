"""Is an uploaded image or audio file what it claims, and one we accept? Magic bytes decide.

    check_image(data, "cat.png", "image/png", param="image")    # Blob(data, "cat.png", "image/png")
    check_audio(b"", "a.mp3", None, param="file")                      # InvalidRequest (400): empty
    check_audio(png_bytes, "a.png", "image/png", param="file")        # UnsupportedMediaType (415)

Empty, or claimed to be a supported format but not one → 400 (corrupt). Recognisably another
format, or claimed to be a format we do not take → 415. A file with no usable claim whose bytes
match nothing → 400. The returned name always carries the detected extension: upstreams such as
Whisper pick the decoder by the file name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from tollway.errors import InvalidRequest, UnsupportedMediaType


@dataclass(frozen=True)
class Blob:
    """A file the client sent (multipart part or decoded base64), checked for its type."""

    data: bytes
    filename: str
    content_type: str


IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
AUDIO_TYPES = {"mp3": "audio/mpeg", "mp4": "audio/mp4", "m4a": "audio/mp4", "wav": "audio/wav",
               "webm": "audio/webm", "ogg": "audio/ogg", "flac": "audio/flac"}
# Speech output formats → the content type the client receives.
SPEECH_TYPES = {"mp3": "audio/mpeg", "opus": "audio/opus", "aac": "audio/aac", "flac": "audio/flac",
                "wav": "audio/wav", "pcm": "audio/pcm"}

_IMAGE_CLAIMS = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "webp": "webp", "image/png": "png",
                 "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/pjpeg": "jpeg", "image/webp": "webp"}
_AUDIO_CLAIMS = {"mp3": "mp3", "mpeg": "mp3", "mpga": "mp3", "mp4": "mp4", "m4a": "m4a", "wav": "wav",
                 "webm": "webm", "ogg": "ogg", "oga": "ogg", "flac": "flac", "audio/mpeg": "mp3", "audio/mp3": "mp3",
                 "audio/mpga": "mp3", "audio/mp4": "mp4", "audio/m4a": "m4a", "audio/x-m4a": "m4a",
                 "audio/wav": "wav", "audio/x-wav": "wav", "audio/wave": "wav", "audio/vnd.wave": "wav",
                 "audio/webm": "webm", "video/webm": "webm", "audio/ogg": "ogg", "application/ogg": "ogg",
                 "audio/flac": "flac", "audio/x-flac": "flac", "video/mp4": "mp4"}
_GENERIC = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
# Formats people send by mistake, named so the 415 says what the file is (with the format's name when
# it is one we take: a file that starts like one but does not sniff as one is corrupt, not foreign).
_OTHERS: tuple[tuple[int, bytes, str, str | None], ...] = (
    (0, b"GIF8", "a GIF image", None), (0, b"II*\x00", "a TIFF image", None), (0, b"MM\x00*", "a TIFF image", None),
    (0, b"BM", "a BMP image", None), (0, b"%PDF", "a PDF document", None), (0, b"PK\x03\x04", "a ZIP archive", None),
    (0, b"\x1f\x8b", "a gzip archive", None), (0, b"FORM", "an AIFF audio file", None),
    (0, b"#!AMR", "an AMR audio file", None), (0, b"\x89PNG", "a PNG image", "png"),
    (0, b"\xff\xd8\xff", "a JPEG image", "jpeg"), (0, b"ID3", "an MP3 audio file", "mp3"),
    (0, b"OggS", "an Ogg media file", "ogg"), (0, b"fLaC", "a FLAC audio file", "flac"),
    (4, b"ftyp", "an MP4 media file", "mp4"), (0, b"\x1a\x45\xdf\xa3", "a WebM media file", "webm"),
)


def sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 24 and data[12:16] == b"IHDR":
        return "png"
    if data.startswith(b"\xff\xd8\xff") and len(data) > 4:
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def sniff_audio(data: bytes) -> str | None:
    if data.startswith(b"ID3") or _mp3_frame(data):
        return "mp3"
    if data[4:8] == b"ftyp":
        return "m4a" if data[8:11] == b"M4A" else "mp4"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if data.startswith(b"OggS"):
        return "ogg"
    if data.startswith(b"fLaC"):
        return "flac"
    return None


def _mp3_frame(data: bytes) -> bool:
    # MPEG audio frame sync: 11 set bits, and a layer other than the reserved 00 (AAC's ADTS uses 00).
    return len(data) >= 4 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and (data[1] >> 1) & 0x3 != 0


def check_image(data: bytes, filename: str | None, content_type: str | None, *, param: str) -> Blob:
    return _check(data, filename, content_type, param, "image", sniff_image, IMAGE_TYPES, _IMAGE_CLAIMS,
                  "PNG, JPEG or WebP")


def check_audio(data: bytes, filename: str | None, content_type: str | None, *, param: str) -> Blob:
    return _check(data, filename, content_type, param, "audio", sniff_audio, AUDIO_TYPES, _AUDIO_CLAIMS,
                  "mp3, mp4, mpeg, mpga, m4a, wav, webm, ogg or flac")


def _check(data: bytes, filename: str | None, content_type: str | None, param: str, what: str,
           sniff: Callable[[bytes], str | None], types: dict[str, str], claims: dict[str, str],
           supported: str) -> Blob:
    if not data:
        raise InvalidRequest(f"{param}: the {what} file is empty", code="empty_file", param=param)
    found = sniff(data)
    if found is not None:
        path = PurePosixPath(filename or what)
        claimed = claims.get(path.suffix.lower().lstrip("."))
        # Keep the client's extension when it names the same format (mpga, jpg…), else say what it is.
        same = claimed == found or {claimed, found} <= {"mp4", "m4a"}
        name = filename if filename and same else f"{path.stem or what}.{'jpg' if found == 'jpeg' else found}"
        return Blob(data, name, types[found])
    claim = _claim(filename, content_type, claims)
    other = next((label for offset, magic, label, fmt in _OTHERS
                  if data[offset:offset + len(magic)] == magic and fmt not in types), None)
    if other is not None:
        raise UnsupportedMediaType(f"{param}: this is {other}; supported {what} formats are {supported}",
                                   code=f"unsupported_{what}_format", param=param)
    if claim == "unsupported":
        raise UnsupportedMediaType(f"{param}: {what} of type {_named(filename, content_type)} is not supported; "
                                   f"supported formats are {supported}", code=f"unsupported_{what}_format",
                                   param=param)
    described = f"a valid {claim.upper()} file" if claim else f"a readable {what} file ({supported})"
    raise InvalidRequest(f"{param}: the file is not {described}: it may be corrupt or truncated",
                         code=f"invalid_{what}", param=param)


def _claim(filename: str | None, content_type: str | None, claims: dict[str, str]) -> str | None:
    """The format the client says it sent: "unsupported" for a specific type we do not take."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in _GENERIC:
        return claims.get(media_type, "unsupported")
    suffix = PurePosixPath(filename or "").suffix.lower().lstrip(".")
    if suffix:
        return claims.get(suffix, "unsupported")
    return None


def _named(filename: str | None, content_type: str | None) -> str:
    media_type = (content_type or "").split(";", 1)[0].strip()
    return repr(media_type) if media_type and media_type.lower() not in _GENERIC else repr(filename)
