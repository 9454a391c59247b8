"""Fake media upstreams, real HTTP servers speaking each provider's wire format, with failure knobs.

    media = FakeMedia().start()
    upstream.add_routes(media.openai_routes())   # OpenAI's media endpoints beside the chat fake
    env = media.env(upstream.base_url)          # CF_*, ELEVENLABS_*, GEMINI_*, COHERE_*, … pointing here
    media.script(Knob(status=500))              # the next media request fails (whichever provider)
    media.requests[-1]                          # what the gateway sent

OpenAI: embeddings (float/base64, usage = fake_tokens), images generations/edits/variations (base64 PNGs;
URLs only if asked), speech (mp3 in several chunks), transcriptions/translations in every
response_format, moderations. Workers AI (raw PNG for SDXL, JSON base64 for other models),
ElevenLabs (text-to-speech, sound-generation), Cohere/Jina/Voyage rerank, Gemini embeddings,
Groq transcriptions. Each checks the credential it should receive.
"""

from __future__ import annotations

import asyncio
import base64
import json
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.media_samples import MP3_FRAME, png
from tests.fakes.server import AppServer

# In each provider's own key format and length, so tests of redaction see what a real key looks like.
KEYS = {"openai": "sk-proj-Wm4Tq9Xz2Kv7Lb3Np8Rc5Hy1Jd6Fs0Ga", "cf": "Xq7cF2LmZ9pW4vN8rT1sY6bH3kJ5dQ0gAuEiOcRf",
        "elevenlabs": "sk_5e1f0c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
        "gemini": "AIzaSyD4Rq8Wz2Lm6Xn0Pv3Tb7Yc1Hd5Js9Ga", "cohere": "Co8sQ3xZ7vB2nM5kL9pR4tW6yH1jF0gDeAaUiOoE",
        "jina": "jina_9b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9eKq2Wx4Ez6Rt8Yu0Ip",
        "voyage": "pa-Vq3Lx9Zm2Nc7Bk4Jh8Gf1Ds6Ap0Ow5Ei3Ru9Ty2Qw7",
        "groq": "gsk_Fq8Wz3Lk7Xm2Np5Rv9Tb4Yc6Hd1Js0Ga3Ue8Io2Pa5Qs7Dw9Ex1Mr4"}
CF_ACCOUNT = "acct0123"
SPEECH_CHUNKS = 4
TRANSCRIPT = "hello from the fake"


@dataclass
class Knob:
    status: int = 200
    delay_s: float = 0.0
    fail_after_chunks: int | None = None  # audio: drop the connection after this many chunks
    chunk_delay_s: float = 0.0
    images: int | None = None  # answer this many images instead of the n asked for
    error_message: str | None = None


@dataclass
class Seen:
    provider: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    json: Any = None
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[tuple[str, str, bytes]]] = field(default_factory=dict)  # name → (filename, type, bytes)
    at: float = field(default_factory=time.monotonic)


def vector(text: str, dimensions: int) -> list[float]:
    """Deterministic and exactly representable in float32, so base64 round trips compare equal."""
    return [((len(text) * 7 + i * 3) % 16) / 8 - 1 for i in range(dimensions)]


def fake_tokens(text: str) -> int:
    """What the fake reports as a string's token count (real tokenizers average ~4 bytes a token)."""
    return max(1, len(text.encode()) // 4)


def mp3_chunks(count: int = SPEECH_CHUNKS) -> list[bytes]:
    return [b"ID3\x04\x00\x00\x00\x00\x00\x00" + MP3_FRAME] + [MP3_FRAME] * (count - 1)


class FakeMedia(AppServer):
    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._scripted: deque[Knob] = deque()
        self._lock = threading.Lock()
        self.app = Starlette(routes=[
            Route("/cf/client/v4/accounts/{account}/ai/run/{model:path}", self._workers_ai, methods=["POST"]),
            Route("/elevenlabs/v1/text-to-speech/{voice}", self._elevenlabs_speech, methods=["POST"]),
            Route("/elevenlabs/v1/sound-generation", self._elevenlabs_sound, methods=["POST"]),
            Route("/{provider}/v2/rerank", self._rerank, methods=["POST"]),
            Route("/{provider}/v1/rerank", self._rerank, methods=["POST"]),
            Route("/gemini/v1beta/models/{call}", self._gemini, methods=["POST"]),
            Route("/groq/openai/v1/audio/{task}", self._transcription, methods=["POST"]),
            # Any other path is recorded too: a request the gateway should never have sent shows up here.
            Route("/{anything:path}", self._unrouted, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ])

    # -- control ---------------------------------------------------------------------------------

    def openai_routes(self) -> list[Route]:
        return [Route("/v1/embeddings", self._openai_embeddings, methods=["POST"]),
                Route("/v1/images/{task}", self._openai_images, methods=["POST"]),
                Route("/v1/audio/speech", self._openai_speech, methods=["POST"]),
                Route("/v1/audio/{task}", self._transcription, methods=["POST"]),
                Route("/v1/moderations", self._openai_moderations, methods=["POST"])]

    def env(self, openai_base_url: str) -> dict[str, str]:
        url = self.url
        return {"OPENAI_API_KEY": KEYS["openai"], "OPENAI_BASE_URL": openai_base_url,
                "CF_ACCOUNT_ID": CF_ACCOUNT, "CF_API_TOKEN": KEYS["cf"], "CF_BASE_URL": f"{url}/cf/client/v4",
                "ELEVENLABS_API_KEY": KEYS["elevenlabs"], "ELEVENLABS_BASE_URL": f"{url}/elevenlabs",
                "GEMINI_API_KEY": KEYS["gemini"], "GEMINI_BASE_URL": f"{url}/gemini/v1beta",
                "COHERE_API_KEY": KEYS["cohere"], "COHERE_BASE_URL": f"{url}/cohere/v2",
                "JINA_API_KEY": KEYS["jina"], "JINA_BASE_URL": f"{url}/jina/v1",
                "VOYAGE_API_KEY": KEYS["voyage"], "VOYAGE_BASE_URL": f"{url}/voyage/v1",
                "GROQ_API_KEY": KEYS["groq"], "GROQ_BASE_URL": f"{url}/groq/openai/v1"}

    def script(self, *knobs: Knob) -> None:
        with self._lock:
            self._scripted.extend(knobs)

    def reset(self) -> None:
        with self._lock:
            self._scripted.clear()
            self.requests.clear()

    def last(self, provider: str) -> Seen:
        return next(seen for seen in reversed(self.requests) if seen.provider == provider)

    async def _receive(self, provider: str, request: Request, credential: str | None) -> tuple[Seen, Knob]:
        seen = Seen(provider, request.url.path, dict(request.headers), dict(request.query_params))
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            for name, value in form.multi_items():
                if isinstance(value, str):
                    seen.fields.setdefault(name, []).append(value)
                else:
                    seen.files.setdefault(name, []).append((value.filename or "", value.content_type or "",
                                                            await value.read()))
        else:
            raw = await request.body()
            seen.json = json.loads(raw) if raw else None
        with self._lock:
            self.requests.append(seen)
            knob = self._scripted.popleft() if self._scripted else Knob()
        if credential is not None and credential not in (seen.headers.get("authorization", ""),
                                                         seen.headers.get("xi-api-key", ""),
                                                         seen.headers.get("x-goog-api-key", "")):
            knob = Knob(status=401, error_message="wrong credential")
        if knob.delay_s:
            await asyncio.sleep(knob.delay_s)
        return seen, knob

    # -- OpenAI ----------------------------------------------------------------------------------

    async def _openai_embeddings(self, request: Request) -> Response:
        seen, knob = await self._receive("openai", request, f"Bearer {KEYS['openai']}")
        if knob.status != 200:
            return _openai_error(knob)
        body = seen.json
        raw = body["input"]
        inputs = [raw] if isinstance(raw, str) or isinstance(raw[0], int) else raw
        dims = body.get("dimensions") or 8
        data = []
        for i, item in enumerate(inputs):
            values = vector(item if isinstance(item, str) else str(item), dims)
            encoded = base64.b64encode(struct.pack(f"<{dims}f", *values)).decode()
            data.append({"object": "embedding", "index": i,
                         "embedding": encoded if body.get("encoding_format") == "base64" else values})
        tokens = sum(fake_tokens(item) if isinstance(item, str) else len(item) for item in inputs)
        return JSONResponse({"object": "list", "data": data, "model": body["model"],
                             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    async def _openai_images(self, request: Request) -> Response:
        seen, knob = await self._receive("openai", request, f"Bearer {KEYS['openai']}")
        if knob.status != 200:
            return _openai_error(knob)
        task = request.path_params["task"]
        params = seen.json if task == "generations" else {k: v[-1] for k, v in seen.fields.items()}
        if task != "generations" and not (seen.files.get("image") or seen.files.get("image[]")):
            return _openai_error(Knob(status=400, error_message="image is required"))
        count = knob.images if knob.images is not None else int(params.get("n") or 1)
        data = []
        for i in range(count):
            item: dict[str, Any] = {"b64_json": base64.b64encode(png(2, 2, seed=i)).decode()}
            if params.get("response_format") == "url":
                item = {"url": f"https://images.example/{i}.png"}
            if str(params.get("model", "")).startswith("dall-e-3"):
                item["revised_prompt"] = "revised: " + str(params.get("prompt"))
            data.append(item)
        return JSONResponse({"created": int(time.time()), "data": data})

    async def _openai_speech(self, request: Request) -> Response:
        seen, knob = await self._receive("openai", request, f"Bearer {KEYS['openai']}")
        if knob.status != 200:
            return _openai_error(knob)
        media_type = {"mp3": "audio/mpeg", "opus": "audio/ogg", "wav": "audio/wav", "flac": "audio/flac",
                      "aac": "audio/aac", "pcm": "audio/pcm"}[seen.json.get("response_format", "mp3")]
        return StreamingResponse(self._chunks(knob), media_type=media_type)

    async def _openai_moderations(self, request: Request) -> Response:
        seen, knob = await self._receive("openai", request, f"Bearer {KEYS['openai']}")
        if knob.status != 200:
            return _openai_error(knob)
        raw = seen.json["input"]
        inputs = [raw] if isinstance(raw, str) else raw
        results = [{"flagged": "kill" in str(item), "categories": {"violence": "kill" in str(item)},
                    "category_scores": {"violence": 0.9 if "kill" in str(item) else 0.01}} for item in inputs]
        return JSONResponse({"id": "modr-fake", "model": seen.json["model"], "results": results})

    async def _transcription(self, request: Request) -> Response:
        provider = "groq" if request.url.path.startswith("/groq") else "openai"
        seen, knob = await self._receive(provider, request, f"Bearer {KEYS[provider]}")
        if knob.status != 200:
            return _openai_error(knob)
        if not seen.files.get("file"):
            return _openai_error(Knob(status=400, error_message="file is required"))
        text = TRANSCRIPT if request.path_params["task"] == "transcriptions" else "translated " + TRANSCRIPT
        response_format = (seen.fields.get("response_format") or ["json"])[-1]
        if response_format == "json":
            return JSONResponse({"text": text})
        if response_format == "verbose_json":
            return JSONResponse({"task": "transcribe", "language": (seen.fields.get("language") or ["english"])[-1],
                                 "duration": 1.5, "text": text,
                                 "segments": [{"id": 0, "start": 0.0, "end": 1.5, "text": text}]})
        subtitles = {"text": text, "srt": f"1\n00:00:00,000 --> 00:00:01,500\n{text}\n",
                     "vtt": f"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n{text}\n"}
        return Response(subtitles[response_format], media_type="text/plain")

    # -- other providers ---------------------------------------------------------------------------

    async def _workers_ai(self, request: Request) -> Response:
        seen, knob = await self._receive("workers_ai", request, f"Bearer {KEYS['cf']}")
        if request.path_params["account"] != CF_ACCOUNT:
            knob = Knob(status=404, error_message="no such account")
        if knob.status != 200:
            return JSONResponse({"success": False, "result": None, "messages": [],
                                 "errors": [{"code": 5006, "message": knob.error_message or "fake failure"}]},
                                status_code=knob.status)
        image = png(2, 2, seed=len(self.requests))
        if "stable-diffusion-xl" in request.path_params["model"]:
            return Response(image, media_type="image/png")
        return JSONResponse({"success": True, "result": {"image": base64.b64encode(image).decode()},
                             "errors": [], "messages": []})

    async def _elevenlabs_speech(self, request: Request) -> Response:
        seen, knob = await self._receive("elevenlabs", request, KEYS["elevenlabs"])
        if knob.status != 200:
            return _elevenlabs_error(knob)
        return StreamingResponse(self._chunks(knob), media_type="audio/mpeg")

    async def _elevenlabs_sound(self, request: Request) -> Response:
        seen, knob = await self._receive("elevenlabs", request, KEYS["elevenlabs"])
        if knob.status != 200:
            return _elevenlabs_error(knob)
        return StreamingResponse(self._chunks(knob), media_type="audio/mpeg")

    async def _rerank(self, request: Request) -> Response:
        provider = request.path_params["provider"]
        seen, knob = await self._receive(provider, request, f"Bearer {KEYS.get(provider, '')}")
        if knob.status != 200:
            return JSONResponse({"message": knob.error_message or "fake failure"}, status_code=knob.status)
        body = seen.json
        query = set(body["query"].lower().split())
        scores = [(i, round(len(query & set(doc.lower().split())) / (len(query) or 1), 4))
                  for i, doc in enumerate(body["documents"])]
        top = body.get("top_k" if provider == "voyage" else "top_n") or len(scores)
        # Unsorted on purpose (the gateway sorts), and only the top ones, as the real APIs answer.
        best = sorted(scores, key=lambda s: s[1], reverse=True)[:top]
        results = [{"index": i, "relevance_score": score} for i, score in sorted(best)]
        if provider == "voyage":
            return JSONResponse({"object": "list", "data": results, "model": body["model"],
                                 "usage": {"total_tokens": 42}})
        if provider == "jina":
            return JSONResponse({"model": body["model"], "results": results, "usage": {"total_tokens": 42}})
        return JSONResponse({"id": "co-fake", "results": results,
                             "meta": {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}}})

    async def _gemini(self, request: Request) -> Response:
        seen, knob = await self._receive("gemini", request, KEYS["gemini"])
        if knob.status != 200:
            return JSONResponse({"error": {"code": knob.status, "message": knob.error_message or "fake failure",
                                           "status": "INTERNAL"}}, status_code=knob.status)
        model, _, method = request.path_params["call"].partition(":")
        requests = [seen.json] if method == "embedContent" else seen.json["requests"]
        embeddings = [{"values": vector(r["content"]["parts"][0]["text"], r.get("outputDimensionality") or 8)}
                      for r in requests]
        if any(r["model"] != f"models/{model}" for r in requests):
            return JSONResponse({"error": {"code": 400, "message": "model mismatch"}}, status_code=400)
        return JSONResponse({"embedding": embeddings[0]} if method == "embedContent" else {"embeddings": embeddings})

    async def _unrouted(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(Seen("unrouted", request.url.path, dict(request.headers), dict(request.query_params)))
        return JSONResponse({"error": {"message": f"no route {request.url.path}"}}, status_code=404)

    async def _chunks(self, knob: Knob):  # type: ignore[no-untyped-def]
        for i, chunk in enumerate(mp3_chunks()):
            if knob.fail_after_chunks is not None and i >= knob.fail_after_chunks:
                raise ConnectionResetError("fake upstream drops the connection mid-stream")
            if knob.chunk_delay_s and i:
                await asyncio.sleep(knob.chunk_delay_s)
            yield chunk


def _openai_error(knob: Knob) -> Response:
    return JSONResponse({"error": {"message": knob.error_message or f"fake upstream failure {knob.status}",
                                   "type": "server_error", "code": None, "param": None}}, status_code=knob.status)


def _elevenlabs_error(knob: Knob) -> Response:
    return JSONResponse({"detail": {"status": "fake_failure", "message": knob.error_message or "fake failure"}},
                        status_code=knob.status)
