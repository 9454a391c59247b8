"""(kind, provider) → the job upstream that runs it. Adding an async kind or provider touches this
table and the catalog, nothing else.

    upstream = job_upstream("video", "replicate")   # 503 if REPLICATE_API_TOKEN/BASE_URL are unset
"""

from __future__ import annotations

from collections.abc import Callable

from tollway.errors import ProviderNotConfigured
from tollway.providers.jobs import JobUpstream


def _openai_videos() -> JobUpstream:
    from tollway.providers.openai_videos import OpenAIVideos

    return OpenAIVideos()


def _replicate() -> JobUpstream:
    from tollway.providers.replicate import Replicate

    return Replicate()


def _elevenlabs_music() -> JobUpstream:
    from tollway.providers.elevenlabs_music import ElevenLabsMusic

    return ElevenLabsMusic()


UPSTREAMS: dict[tuple[str, str], Callable[[], JobUpstream]] = {
    ("video", "openai"): _openai_videos,
    ("video", "replicate"): _replicate,
    ("music", "elevenlabs"): _elevenlabs_music,
    ("music", "replicate"): _replicate,
}


def job_upstream(kind: str, provider: str) -> JobUpstream:
    factory = UPSTREAMS.get((kind, provider))
    if factory is None:
        raise ProviderNotConfigured(f"provider {provider!r} cannot run {kind} jobs")
    upstream = factory()
    if not upstream.configured():
        raise ProviderNotConfigured(
            f"provider {provider!r} is not configured: the operator must set its API key or base URL")
    return upstream
