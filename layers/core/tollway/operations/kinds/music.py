"""Music generation: ElevenLabs (priced per second of track) or a Replicate-style model (per track).

    order = MUSIC.order({"model": "music_v1", "prompt": "calm piano", "seconds": 30})
"""

from __future__ import annotations

from typing import Any

from tollway.catalog import ModelSpec
from tollway.operations.kinds.base import Order, UpstreamKind
from tollway.operations.records import Operation
from tollway.wire.operations import MusicGenerationRequest
from tollway.wire.validation import validate

DEFAULT_SECONDS = 30


class MusicKind(UpstreamKind):
    name = "music"
    endpoint = "music.generations"
    result_stem = "track"

    def order(self, body: dict[str, Any]) -> Order:
        request = validate(MusicGenerationRequest, body)

        def elevenlabs(_: ModelSpec) -> tuple[int, dict[str, Any]]:
            seconds = request.seconds or DEFAULT_SECONDS
            params: dict[str, Any] = {"prompt": request.prompt, "seconds": seconds}
            if request.force_instrumental is not None:
                params["force_instrumental"] = request.force_instrumental
            return seconds, params

        return self.priced(request, ("seconds", "force_instrumental"), elevenlabs)

    def describe(self, op: Operation) -> dict[str, Any]:
        return {"seconds": op.params["seconds"]} if "seconds" in op.params else {}


MUSIC = MusicKind()
