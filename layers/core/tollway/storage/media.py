"""Generated media handed out as links: stored under the key's prefix, shared by a presigned GET URL.

    link = store_media(key_id, png_bytes, "image/png")
    link.url          # https://…/keys/<key id>/media/media_….png?X-Amz-Expires=3600&…
    link.expires_at   # unix seconds

Objects are tagged so the bucket's lifecycle rule deletes them after a day; the URL is valid for
settings().media_url_ttl_s (an hour by default). They do not count against the Files quota.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from tollway.config import settings
from tollway.storage import objects

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "audio/mpeg": "mp3",
              "audio/opus": "opus", "audio/ogg": "ogg", "audio/aac": "aac", "audio/flac": "flac",
              "audio/wav": "wav", "audio/pcm": "pcm"}


@dataclass(frozen=True)
class MediaLink:
    id: str
    url: str
    expires_at: int
    content_type: str
    bytes: int


def store_media(key_id: str, data: bytes, content_type: str) -> MediaLink:
    media_type = content_type.split(";", 1)[0].strip().lower()
    media_id = "media_" + secrets.token_hex(12)
    key = objects.media_key(key_id, media_id, EXTENSIONS.get(media_type, "bin"))
    objects.put_object(key, data, media_type, tagging=objects.MEDIA_TAG)
    ttl = settings().media_url_ttl_s
    return MediaLink(media_id, objects.presigned_get(key, ttl), int(time.time()) + ttl, media_type, len(data))
