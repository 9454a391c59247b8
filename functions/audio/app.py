"""Audio (scope ai:generate): speech and sound effects streamed through as produced; transcriptions
and translations from a multipart file or base64 JSON; realtime session secrets. /infra/ai/audio/* are the canonical routes,
/v1/audio/* their aliases.

On Lambda this app runs under uvicorn behind the Lambda Web Adapter (run.sh) so audio streams
through API Gateway as it arrives; `handler` is the buffered Mangum entry for sam local invoke.
"""

from fastapi import Request, Response

from tollway.endpoints import (
    create_realtime_session,
    create_speech,
    create_speech_object,
    generate_sound,
    transcribe,
    translate,
)
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.replies import form_call, json_call
from tollway.http.openapi import declares, form_body, json_body
from tollway.wire.openai_audio import (InfraSpeechRequest, SoundGenerationParams, SpeechCreateParams, TranscriptionCreateParams,
                                         TranslationCreateParams)
from tollway.wire.realtime import RealtimeSessionCreateParams

app = create_app("audio")


@app.post("/v1/audio/speech")
@declares(json_body(SpeechCreateParams))
async def speech(request: Request) -> Response:
    return await json_call(request, create_speech, job="speech")  # "async": true → an operation


# The canonical route answers JSON (base64 audio) unless `response_format: binary` asks for the bytes.
@app.post("/infra/ai/audio/speech")
@declares(json_body(InfraSpeechRequest))
async def speech_object(request: Request) -> Response:
    return await json_call(request, create_speech_object)


@app.post("/infra/ai/audio/transcriptions")
@app.post("/v1/audio/transcriptions")
@declares(form_body(TranscriptionCreateParams, ["file"], json_allowed=True))
async def transcription(request: Request) -> Response:
    return await form_call(request, transcribe, json_allowed=True, job="transcription")  # async → operation


@app.post("/infra/ai/audio/translations")
@app.post("/v1/audio/translations")
@declares(form_body(TranslationCreateParams, ["file"], json_allowed=True))
async def translation(request: Request) -> Response:
    return await form_call(request, translate, json_allowed=True, job="translation")  # async → operation


@app.post("/v1/audio/generation")
@declares(json_body(SoundGenerationParams))
async def sound(request: Request) -> Response:
    return await json_call(request, generate_sound)


# A short-lived client secret for OpenAI's realtime API: the provider key never leaves the gateway.
@app.post("/infra/ai/realtime/sessions")
@app.post("/v1/realtime/sessions")
@declares(json_body(RealtimeSessionCreateParams))
async def realtime_session(request: Request) -> Response:
    return await json_call(request, create_realtime_session)


handler = lambda_handler(app)
