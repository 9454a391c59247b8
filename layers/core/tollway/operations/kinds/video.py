"""Video generation: OpenAI's Sora (priced per second) or a Replicate-style model (per video).

    order = VIDEO.order({"model": "sora-2", "prompt": "a cat surfing", "seconds": 8})
    order.reserve        # 8 × sora-2's price per second, in micro-credits
"""

from __future__ import annotations

from typing import Any

from tollway.catalog import ModelSpec
from tollway.errors import InvalidRequest
from tollway.operations.kinds.base import Order, UpstreamKind
from tollway.operations.records import Operation
from tollway.wire.operations import VideoGenerationRequest
from tollway.wire.validation import validate

SORA_SECONDS = (4, 8, 12, 16, 20)
DEFAULT_SECONDS = 4
DEFAULT_SIZE = "720x1280"


class VideoKind(UpstreamKind):
    name = "video"
    endpoint = "videos.generations"
    result_stem = "video"

    def order(self, body: dict[str, Any]) -> Order:
        request = validate(VideoGenerationRequest, body)

        def sora(spec: ModelSpec) -> tuple[int, dict[str, Any]]:
            seconds = request.seconds or DEFAULT_SECONDS
            if seconds not in SORA_SECONDS:
                raise InvalidRequest(f"seconds: {spec.id} makes videos of {', '.join(map(str, SORA_SECONDS))} "
                                     "seconds", code="invalid_value", param="seconds")
            return seconds, {"prompt": request.prompt, "seconds": seconds, "size": request.size or DEFAULT_SIZE}

        return self.priced(request, ("seconds", "size"), sora)

    def describe(self, op: Operation) -> dict[str, Any]:
        return {k: op.params[k] for k in ("seconds", "size") if k in op.params}


VIDEO = VideoKind()
