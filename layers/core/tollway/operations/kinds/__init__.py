"""Operation kinds, one module each, named in one table; adding a kind (image, transcription…) is one
module and one row here.

    kind = operation_kind("video")       # NotFound for a kind this gateway does not run
"""

from __future__ import annotations

from tollway.errors import NotFound
from tollway.lazy_import import imported
from tollway.operations.kinds.base import Kind, Order, result_name

# kind → its Kind object, "module:name", imported when an operation of that kind is first met.
KINDS: dict[str, str] = {
    "video": "tollway.operations.kinds.video:VIDEO",
    "music": "tollway.operations.kinds.music:MUSIC",
    "document": "tollway.operations.kinds.document:DOCUMENT",
    "image": "tollway.operations.kinds.media_jobs:IMAGE",
    "transcription": "tollway.operations.kinds.media_jobs:TRANSCRIPTION_KIND",
    "translation": "tollway.operations.kinds.media_jobs:TRANSLATION_KIND",
    "speech": "tollway.operations.kinds.media_jobs:SPEECH_KIND",
    "chat": "tollway.operations.kinds.chat:CHAT",
    "responses": "tollway.operations.kinds.chat:RESPONSES",
}


def operation_kind(name: str) -> Kind:
    target = KINDS.get(name)
    if target is None:
        raise NotFound(f"No operation kind {name!r}")
    kind: Kind = imported(target)
    return kind


__all__ = ["KINDS", "Kind", "Order", "operation_kind", "result_name"]
