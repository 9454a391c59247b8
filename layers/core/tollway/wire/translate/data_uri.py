"""Inline media in requests: `data:` URIs in, base64 sources out, and a MIME type for a bare URL.

    DataURI.parse("data:image/png;base64,iVBORw0KGgo=")   # DataURI(media_type='image/png', data='iVBORw0KGgo=')
    media_type_for_url("https://x.test/cat.JPG?size=2")   # 'image/jpeg'
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlsplit

# Providers disagree with Python's table on a few names; these are the ones their APIs accept.
_ALIASES = {"image/jpg": "image/jpeg", "audio/mp3": "audio/mpeg", "audio/x-wav": "audio/wav",
            "audio/wave": "audio/wav"}
_EXTRA_TYPES = {".webp": "image/webp", ".heic": "image/heic", ".heif": "image/heif", ".mp3": "audio/mpeg",
                ".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".m4a": "audio/mp4",
                ".md": "text/markdown", ".webm": "video/webm"}


def normal_media_type(media_type: str) -> str:
    media_type = media_type.strip().lower()
    return _ALIASES.get(media_type, media_type)


@dataclass(frozen=True)
class DataURI:
    media_type: str
    data: str  # base64, as the providers want it

    @classmethod
    def parse(cls, uri: str) -> DataURI | None:
        """The media type and base64 payload of a `data:` URI, or None when `uri` is not one.

        A URI without `;base64` carries percent-encoded bytes; they are re-encoded as base64.
        """
        if not uri.startswith("data:") or "," not in uri:
            return None
        header, payload = uri[5:].split(",", 1)
        params = [p.strip() for p in header.split(";")]
        media_type = normal_media_type(params[0] or "text/plain")
        if any(p.lower() == "base64" for p in params[1:]):
            return cls(media_type, "".join(payload.split()))
        return cls(media_type, base64.b64encode(unquote_to_bytes(payload)).decode("ascii"))

    def decodes(self) -> bool:
        try:
            base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError):
            return False
        return True

    def text(self) -> str:
        return base64.b64decode(self.data).decode("utf-8", errors="replace")


def media_type_for_url(url: str, default: str = "application/octet-stream") -> str:
    """A MIME type guessed from the URL path's extension (the query string is ignored)."""
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    if dot == -1 or "/" in path[dot:]:
        return default
    extension = path[dot:]
    return _EXTRA_TYPES.get(extension) or normal_media_type(mimetypes.types_map.get(extension, default))


def is_web_url(url: str) -> bool:
    return url.startswith(("https://", "http://"))
