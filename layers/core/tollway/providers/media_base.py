"""The small protocols of the media capabilities, and the values they take and return.

Each adapter implements only the protocols it can serve; the registry finds an adapter by
(provider, protocol) and answers 501 when the provider lacks the capability:

    embedder = adapter_for("gemini", EMBEDDINGS)
    result = await embedder.embed({"model": "text-embedding-004", "input": ["a", "b"]})
    result.body["data"][0]["embedding"]      # OpenAI's CreateEmbeddingResponse shape, whoever served it

Requests and results are OpenAI-shaped on this boundary; adapters for other wire formats
translate inside, so routing never branches on a provider.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from tollway.errors import UpstreamError
from tollway.wire.media_types import Blob, sniff_image  # noqa: F401 - Blob re-exported: adapters take it


@dataclass(frozen=True)
class EmbeddingResult:
    body: dict[str, Any]  # CreateEmbeddingResponse
    prompt_tokens: int | None  # as the provider counted them; None if it does not say


@dataclass(frozen=True)
class Picture:
    data: bytes
    content_type: str
    revised_prompt: str | None = None

    @classmethod
    def decode(cls, provider: str, encoded: object, revised_prompt: str | None = None) -> Picture:
        """An image an upstream sent as base64; UpstreamError if it is not one."""
        if not isinstance(encoded, str):
            raise UpstreamError(f"{provider} answered without image data")
        try:
            return cls.of(provider, base64.b64decode(encoded, validate=True), revised_prompt)
        except (binascii.Error, ValueError) as exc:
            raise UpstreamError(f"{provider} answered an image with invalid base64") from exc

    @classmethod
    def of(cls, provider: str, data: bytes, revised_prompt: str | None = None) -> Picture:
        kind = sniff_image(data)
        if kind is None:
            raise UpstreamError(f"{provider} answered something that is not a PNG, JPEG or WebP image")
        return cls(data, f"image/{kind}", revised_prompt)


@dataclass(frozen=True)
class ImageJob:
    model: str
    prompt: str
    n: int
    size: str | None
    extra: dict[str, Any] = field(default_factory=dict)  # passed through: quality, style, background, user…
    steps: int | None = None  # denoising steps (1–16): the adapter names it as its provider does, or ignores it


@dataclass(frozen=True)
class SpeechJob:
    model: str
    input: str
    voice: str
    response_format: str  # mp3 | opus | aac | flac | wav | pcm
    extra: dict[str, Any] = field(default_factory=dict)  # speed, instructions…


@dataclass(frozen=True)
class SoundJob:
    model: str
    prompt: str
    duration_seconds: float | None
    prompt_influence: float | None
    loop: bool = False


@dataclass(frozen=True)
class TranscriptionJob:
    model: str
    audio: Blob
    fields: dict[str, str | list[str]]  # language, prompt, response_format, temperature, timestamp_granularities[]


@dataclass(frozen=True)
class Transcript:
    body: bytes  # exactly what the client receives
    content_type: str


@dataclass(frozen=True)
class RerankJob:
    model: str
    query: str
    documents: list[str]
    top_n: int


@dataclass(frozen=True)
class RerankHit:
    index: int
    relevance_score: float


@dataclass(frozen=True)
class RerankOutcome:
    hits: list[RerankHit]
    usage: dict[str, Any]


class AudioStream(Protocol):
    """An upstream answer whose status was 200 and whose body has not been read yet."""

    content_type: str

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class Adapter(Protocol):
    name: str

    def configured(self) -> bool: ...


@runtime_checkable
class Embedder(Adapter, Protocol):
    async def embed(self, body: dict[str, Any]) -> EmbeddingResult: ...


@runtime_checkable
class ImageGenerator(Adapter, Protocol):
    async def generate_images(self, job: ImageJob) -> list[Picture]: ...


@runtime_checkable
class ImageEditor(Adapter, Protocol):
    async def edit_images(self, job: ImageJob, images: list[Blob], mask: Blob | None) -> list[Picture]: ...


@runtime_checkable
class ImageVariator(Adapter, Protocol):
    async def vary_image(self, job: ImageJob, image: Blob) -> list[Picture]: ...


@runtime_checkable
class SpeechSynthesizer(Adapter, Protocol):
    async def speech(self, job: SpeechJob) -> AudioStream: ...


@runtime_checkable
class SoundGenerator(Adapter, Protocol):
    async def sound(self, job: SoundJob) -> AudioStream: ...


@runtime_checkable
class Transcriber(Adapter, Protocol):
    async def transcribe(self, job: TranscriptionJob) -> Transcript: ...


@runtime_checkable
class Translator(Adapter, Protocol):
    async def translate(self, job: TranscriptionJob) -> Transcript: ...


@runtime_checkable
class Moderator(Adapter, Protocol):
    async def moderate(self, body: dict[str, Any]) -> dict[str, Any]: ...


@runtime_checkable
class Reranker(Adapter, Protocol):
    async def rerank(self, job: RerankJob) -> RerankOutcome: ...


C = TypeVar("C")


@dataclass(frozen=True)
class Capability(Generic[C]):
    """A protocol the registry can look adapters up by, with the name a 501 gives it. (A protocol
    class itself cannot be passed where type checkers expect `type[C]`, so it is wrapped.)"""

    protocol: Any  # a runtime_checkable protocol above
    description: str

    def of(self, adapter: object) -> C | None:
        return adapter if isinstance(adapter, self.protocol) else None


@dataclass(frozen=True)
class RealtimeJob:
    model: str
    voice: str
    ttl_seconds: int


@dataclass(frozen=True)
class RealtimeSecret:
    """A short-lived client secret the provider minted for one realtime session."""

    value: str
    expires_at: int
    session_id: str | None
    url: str  # where the client connects with it


@runtime_checkable
class RealtimeSessions(Protocol):
    async def client_secret(self, job: RealtimeJob) -> RealtimeSecret: ...


EMBEDDINGS: Capability[Embedder] = Capability(Embedder, "embeddings")
IMAGE_GENERATION: Capability[ImageGenerator] = Capability(ImageGenerator, "image generation")
IMAGE_EDITS: Capability[ImageEditor] = Capability(ImageEditor, "image edits")
IMAGE_VARIATIONS: Capability[ImageVariator] = Capability(ImageVariator, "image variations")
SPEECH: Capability[SpeechSynthesizer] = Capability(SpeechSynthesizer, "text to speech")
SOUND: Capability[SoundGenerator] = Capability(SoundGenerator, "sound generation")
TRANSCRIPTION: Capability[Transcriber] = Capability(Transcriber, "transcription")
TRANSLATION: Capability[Translator] = Capability(Translator, "audio translation")
MODERATION: Capability[Moderator] = Capability(Moderator, "moderation")
RERANK: Capability[Reranker] = Capability(Reranker, "rerank")
REALTIME: Capability[RealtimeSessions] = Capability(RealtimeSessions, "realtime sessions")
