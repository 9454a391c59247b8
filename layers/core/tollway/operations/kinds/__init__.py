"""Operation kinds, one module each; adding a kind (image, transcription…) is one module and one
line here.

    kind = operation_kind("video")       # NotFound for a kind this gateway does not run
"""

from __future__ import annotations

from tollway.errors import NotFound
from tollway.operations.kinds.base import Kind, Order, result_name


def operation_kind(name: str) -> Kind:
    if name == "video":
        from tollway.operations.kinds.video import VIDEO

        return VIDEO
    if name == "music":
        from tollway.operations.kinds.music import MUSIC

        return MUSIC
    if name == "document":
        from tollway.operations.kinds.document import DOCUMENT

        return DOCUMENT
    if name == "image":
        from tollway.operations.kinds.media_jobs import IMAGE

        return IMAGE
    if name == "transcription":
        from tollway.operations.kinds.media_jobs import TRANSCRIPTION_KIND

        return TRANSCRIPTION_KIND
    raise NotFound(f"No operation kind {name!r}")


__all__ = ["Kind", "Order", "operation_kind", "result_name"]
