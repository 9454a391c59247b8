"""OpenAI's media endpoints — embeddings, images, speech, transcription, moderation — and the same
transcription API where other upstreams offer it (Groq's Whisper).

    openai = OpenAIMedia(instance("openai"))
    result = await openai.embed({"model": "text-embedding-3-small", "input": "hi"})
    groq = OpenAITranscriber(instance("groq"))   # transcribe/translate only

Configured like the chat adapters (<PREFIX>_API_KEY, <PREFIX>_BASE_URL) and sharing their
variables, so one OPENAI_BASE_URL points chat and media at the same server. Images are always
asked for as base64: the gateway stores them itself when the client wants a URL.
"""

from __future__ import annotations

from typing import Any

from tollway.errors import UpstreamError
from tollway.providers.media_base import EmbeddingResult, ImageJob, Picture, SpeechJob, Transcript, TranscriptionJob
from tollway.providers.http_upstream import ResponseBytes, UpstreamHTTP
from tollway.providers.instances import ProviderInstance
from tollway.wire.media_types import SPEECH_TYPES, Blob


class OpenAITranscriber:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name
        self.http = UpstreamHTTP(instance.upstream())

    def configured(self) -> bool:
        return self.http.configured()

    async def transcribe(self, job: TranscriptionJob) -> Transcript:
        return await self._audio_to_text("/audio/transcriptions", job)

    async def translate(self, job: TranscriptionJob) -> Transcript:
        return await self._audio_to_text("/audio/translations", job)

    async def _audio_to_text(self, path: str, job: TranscriptionJob) -> Transcript:
        files = {"file": (job.audio.filename, job.audio.data, job.audio.content_type)}
        response = await self.http.send("POST", path, data={"model": job.model, **job.fields}, files=files)
        content_type = response.headers.get("content-type", "application/json")
        return Transcript(response.content, content_type)


class OpenAIMedia(OpenAITranscriber):
    async def embed(self, body: dict[str, Any]) -> EmbeddingResult:
        parsed = self.http.json(await self.http.send("POST", "/embeddings", json=body))
        if not isinstance(parsed.get("data"), list):
            raise UpstreamError(f"{self.name} answered without embeddings")
        usage = parsed.get("usage")
        tokens = usage.get("prompt_tokens") if isinstance(usage, dict) else None
        return EmbeddingResult(parsed, tokens if isinstance(tokens, int) else None)

    async def generate_images(self, job: ImageJob) -> list[Picture]:
        body = {"model": job.model, "prompt": job.prompt, "n": job.n, **job.extra, **self._b64(job)}
        if job.size:
            body["size"] = job.size
        return self._pictures(await self.http.send("POST", "/images/generations", json=body))

    async def edit_images(self, job: ImageJob, images: list[Blob], mask: Blob | None) -> list[Picture]:
        name = "image" if len(images) == 1 else "image[]"
        files = [(name, (b.filename, b.data, b.content_type)) for b in images]
        if mask is not None:
            files.append(("mask", (mask.filename, mask.data, mask.content_type)))
        fields = {"model": job.model, "prompt": job.prompt, "n": str(job.n), **_strings(job.extra), **self._b64(job)}
        if job.size:
            fields["size"] = job.size
        return self._pictures(await self.http.send("POST", "/images/edits", data=fields, files=files))

    async def vary_image(self, job: ImageJob, image: Blob) -> list[Picture]:
        fields = {"model": job.model, "n": str(job.n), **_strings(job.extra), **self._b64(job)}
        if job.size:
            fields["size"] = job.size
        files = {"image": (image.filename, image.data, image.content_type)}
        return self._pictures(await self.http.send("POST", "/images/variations", data=fields, files=files))

    async def speech(self, job: SpeechJob) -> ResponseBytes:
        body = {"model": job.model, "input": job.input, "voice": job.voice, "response_format": job.response_format,
                **job.extra}
        response = await self.http.open("POST", "/audio/speech", json=body)
        content_type = response.headers.get("content-type") or SPEECH_TYPES[job.response_format]
        return ResponseBytes(self.name, response, content_type)

    async def moderate(self, body: dict[str, Any]) -> dict[str, Any]:
        parsed = self.http.json(await self.http.send("POST", "/moderations", json=body))
        if not isinstance(parsed.get("results"), list):
            raise UpstreamError(f"{self.name} answered without moderation results")
        return parsed

    @staticmethod
    def _b64(job: ImageJob) -> dict[str, str]:
        # GPT image models always answer in base64 and refuse the parameter; DALL·E answers URLs by default.
        return {} if job.model.startswith("gpt-image") else {"response_format": "b64_json"}

    def _pictures(self, response: Any) -> list[Picture]:
        items = self.http.json(response).get("data")
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise UpstreamError(f"{self.name} answered without images")
        return [Picture.decode(self.name, item.get("b64_json"), item.get("revised_prompt")) for item in items]


def _strings(values: dict[str, Any]) -> dict[str, str]:
    """Multipart fields are text: numbers and booleans as JSON writes them."""
    return {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in values.items() if v is not None}
