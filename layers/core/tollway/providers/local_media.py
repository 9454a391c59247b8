"""The offline `local/*` models of every kind but chat (local/echo is providers/local_echo.py).

    media = LocalMedia(instance("local"))
    await media.embed({"model": "local/embedding", "input": ["a", "b"]})   # unit vectors, stable across runs
    await media.generate_images(ImageJob("local/image", "a fox", 1, "256x256"))   # a real PNG
    await media.speech(SpeechJob("local/speech", "Hello", "alloy", "mp3"))         # a real WAV (see below)

They answer in exactly the shapes the real upstreams do, so every route, the `auto` models and the
console's playground work on a machine with no network. What each one honestly is:
- embeddings: hashed word and trigram features (providers/local_text.py), 256 dimensions or fewer;
- images: a PNG drawn from the prompt's hash (providers/local_png.py), edits and variations too;
- speech: a WAV of tones, ~0.06 s per character, whatever `response_format` asked (no MP3 encoder
  is small enough to carry), except `pcm`: the bare samples;
- transcription and translation: no recognition at all — the WAV's duration (read from its
  header; other formats have none) and the fixed text TRANSCRIPT_MARKER, in the asked format;
- rerank: lexical overlap; moderation: a keyword list per OpenAI category.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

import anyio

from tollway.errors import InvalidRequest
from tollway.providers.instances import ProviderInstance
from tollway.providers.local_png import draw_png
from tollway.providers.local_text import CATEGORIES, NATIVE_DIMENSIONS, flagged_categories, overlap, vector, words
from tollway.providers.local_wav import pcm, speak_wav, wav_of, wav_seconds
from tollway.providers.media_base import (
    Blob, EmbeddingResult, ImageJob, Picture, RerankHit, RerankJob, RerankOutcome, SoundJob, SpeechJob, Transcript,
    TranscriptionJob)
from tollway.wire.openai_embeddings import embedding_list

TRANSCRIPT_MARKER = "[local transcription: no speech recognition runs offline]"
DEFAULT_SIDE = 1024
_STREAM_CHUNK = 64 * 1024


class _BytesStream:
    """A finished answer handed out in chunks, like an upstream's audio body."""

    def __init__(self, data: bytes, content_type: str) -> None:
        self._data = data
        self.content_type = content_type

    async def chunks(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self._data), _STREAM_CHUNK):
            yield self._data[start:start + _STREAM_CHUNK]

    async def aclose(self) -> None:
        return None


class LocalMedia:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name

    def configured(self) -> bool:
        return True

    async def embed(self, body: dict[str, Any]) -> EmbeddingResult:
        dimensions = body.get("dimensions") or NATIVE_DIMENSIONS
        if dimensions > NATIVE_DIMENSIONS:
            raise InvalidRequest(f"dimensions: {body.get('model')} has at most {NATIVE_DIMENSIONS} dimensions",
                                 code="invalid_value", param="dimensions")
        given = body["input"]
        items = [given] if isinstance(given, str) or isinstance(given[0], int) else given
        # Hashing a large batch takes a while: off the event loop, like a network wait would be.
        vectors = await anyio.to_thread.run_sync(lambda: [vector(item, dimensions) for item in items])
        tokens = sum(max(len(words(item)), 1) if isinstance(item, str) else len(item) for item in items)
        result = embedding_list(vectors, body.get("model", "local/embedding"), body.get("encoding_format") or "float")
        return EmbeddingResult(result | {"usage": {"prompt_tokens": tokens, "total_tokens": tokens}}, tokens)

    async def generate_images(self, job: ImageJob) -> list[Picture]:
        return self._pictures(job, job.prompt)

    async def edit_images(self, job: ImageJob, images: list[Blob], mask: Blob | None) -> list[Picture]:
        return self._pictures(job, job.prompt + "".join(_fingerprint(i.data) for i in images))

    async def vary_image(self, job: ImageJob, image: Blob) -> list[Picture]:
        return self._pictures(job, _fingerprint(image.data))

    def _pictures(self, job: ImageJob, seed: str) -> list[Picture]:
        width, height = _size(job.size)
        # Each of n images differs (a client asking for 4 wants 4 choices), and each is reproducible.
        return [Picture(draw_png(seed if i == 0 else f"{seed}#{i}", width, height), "image/png")
                for i in range(job.n)]

    async def speech(self, job: SpeechJob) -> _BytesStream:
        if job.response_format == "pcm":
            return _BytesStream(pcm(job.input), "audio/pcm")
        return _BytesStream(speak_wav(job.input), "audio/wav")

    async def sound(self, job: SoundJob) -> _BytesStream:
        seconds = job.duration_seconds or 2.0
        tones = pcm(job.prompt)
        wanted = int(seconds * 24_000) * 2
        looped = (tones * (wanted // max(len(tones), 1) + 1))[:wanted]
        return _BytesStream(wav_of(looped), "audio/wav")

    async def transcribe(self, job: TranscriptionJob) -> Transcript:
        return _transcript(job, "transcribe")

    async def translate(self, job: TranscriptionJob) -> Transcript:
        return _transcript(job, "translate")

    async def rerank(self, job: RerankJob) -> RerankOutcome:
        scores = [(i, overlap(job.query, document)) for i, document in enumerate(job.documents)]
        ranked = sorted(scores, key=lambda hit: (-hit[1], hit[0]))[:job.top_n]
        return RerankOutcome([RerankHit(i, score) for i, score in ranked], {"search_units": 1})

    async def moderate(self, body: dict[str, Any]) -> dict[str, Any]:
        # As OpenAI: a string or a list of strings is one result each; content parts are one input.
        given = body["input"]
        inputs = [[given]] if isinstance(given, str) else [[g] for g in given] \
            if all(isinstance(g, str) for g in given) else [given]
        return {"id": "modr-" + secrets.token_hex(12), "model": body.get("model", "local/moderation"),
                "results": [_moderation(parts) for parts in inputs]}

def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _size(size: str | None) -> tuple[int, int]:
    if not size or size == "auto":
        return DEFAULT_SIDE, DEFAULT_SIDE
    width, height = (int(side) for side in size.split("x"))  # checked by the wire model
    return width, height


def _moderation(parts: list[str | dict[str, Any]]) -> dict[str, Any]:
    texts = [p if isinstance(p, str) else str(p.get("text") or "") for p in parts
             if isinstance(p, str) or p.get("type") == "text"]
    kinds = sorted({"image" if isinstance(p, dict) and p.get("type") == "image_url" else "text" for p in parts})
    flagged = flagged_categories(" ".join(texts))  # images are not looked at: nothing offline can see
    return {"flagged": bool(flagged),
            "categories": {c: c in flagged for c in CATEGORIES},
            "category_scores": {c: 0.99 if c in flagged else 0.0001 for c in CATEGORIES},
            "category_applied_input_types": {c: kinds for c in CATEGORIES}}

def _transcript(job: TranscriptionJob, task: str) -> Transcript:
    seconds = wav_seconds(job.audio.data)
    response_format = job.fields.get("response_format") or "json"
    text = TRANSCRIPT_MARKER
    end = seconds or 0.0
    if response_format == "json":
        return Transcript(json.dumps({"text": text}).encode(), "application/json")
    if response_format == "verbose_json":
        language = job.fields.get("language") if task == "transcribe" else "english"
        return Transcript(json.dumps({
            "task": task, "language": language or "english", "duration": seconds, "text": text,
            "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": end, "text": text, "tokens": [],
                          "temperature": 0.0, "avg_logprob": 0.0, "compression_ratio": 1.0,
                          "no_speech_prob": 1.0}]}).encode(), "application/json")
    if response_format == "srt":
        return Transcript(f"1\n00:00:00,000 --> {_clock(end, ',')}\n{text}\n".encode(), "text/plain")
    if response_format == "vtt":
        return Transcript(f"WEBVTT\n\n00:00:00.000 --> {_clock(end, '.')}\n{text}\n".encode(), "text/plain")
    return Transcript(text.encode(), "text/plain")


def _clock(seconds: float, mark: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{mark}{rest % 1000:03d}"
