"""The native Inference API under /api/v1/inference: enveloped answers ({"success", "data" | "error"}),
the same keys, credits, rate limits, fallbacks and headers as /v1 (the same use cases answer).

Chat and its stream, embeddings, images and transcription (scope ai:generate); the provider
registry and the model list (reads: ai:read; writes: the admin key or ai:admin); usage and the
request log (a key's own; the admin key's: every key's). Runs under the Lambda Web Adapter like the
chat function, so /chat/stream streams through API Gateway.
"""

from fastapi import Request, Response
from tollway.endpoints import (
    create_provider,
    delete_provider,
    list_inference_models,
    list_providers,
    native_chat,
    native_chat_stream,
    native_embed,
    native_images,
    native_transcribe,
    show_provider,
    show_request,
    show_usage,
    sync_models,
    update_provider,
)
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.openapi import declares, form_body, json_body
from tollway.http.replies import caller, form_call, json_call, render
from tollway.http.requests import json_object
from tollway.wire.inference import (InferenceChatRequest, InferenceEmbedRequest, InferenceImagesRequest,
                                    InferenceTranscribeFields, ModelsSyncRequest, ProviderCreate, ProviderFields)

API = "/api/v1/inference"
app = create_app("inference")


@app.post(f"{API}/chat")
@declares(json_body(InferenceChatRequest))
async def chat(request: Request) -> Response:
    return await json_call(request, native_chat)


@app.post(f"{API}/chat/stream")
@declares(json_body(InferenceChatRequest))
async def chat_stream(request: Request) -> Response:
    return await json_call(request, native_chat_stream)


@app.post(f"{API}/embed")
@declares(json_body(InferenceEmbedRequest))
async def embed(request: Request) -> Response:
    return await json_call(request, native_embed)


@app.post(f"{API}/images")
@declares(json_body(InferenceImagesRequest))
async def images(request: Request) -> Response:
    return await json_call(request, native_images)


@app.post(f"{API}/transcribe")  # JSON with base64 `audio`, or multipart with a `file` part
@declares(form_body(InferenceTranscribeFields, ["file"], json_allowed=True))
async def transcribe(request: Request) -> Response:
    return await form_call(request, native_transcribe, json_allowed=True)


@app.get(f"{API}/providers")
async def providers(request: Request) -> Response:
    return render(await list_providers(caller(request)))


@app.post(f"{API}/providers")
@declares(json_body(ProviderCreate))
async def register_provider(request: Request) -> Response:
    return render(await create_provider(caller(request), await json_object(request)))


@app.get(f"{API}/providers/{{ref}}")
async def provider(ref: str, request: Request) -> Response:
    return render(await show_provider(caller(request), ref))


@app.put(f"{API}/providers/{{ref}}")
@declares(json_body(ProviderFields))
async def change_provider(ref: str, request: Request) -> Response:
    return render(await update_provider(caller(request), ref, await json_object(request)))


@app.delete(f"{API}/providers/{{ref}}")
async def remove_provider(ref: str, request: Request) -> Response:
    return render(await delete_provider(caller(request), ref))


@app.get(f"{API}/models")
async def models(request: Request) -> Response:
    return render(await list_inference_models(caller(request), request.query_params.get("provider") or None))


@app.post(f"{API}/models/sync")
@declares(json_body(ModelsSyncRequest))
async def sync(request: Request) -> Response:
    return render(await sync_models(caller(request), await json_object(request)))


@app.get(f"{API}/usage")
async def usage(request: Request) -> Response:
    return render(await show_usage(caller(request), dict(request.query_params)))


@app.get(f"{API}/requests/{{request_id}}")
async def request_log(request_id: str, request: Request) -> Response:
    return render(await show_request(caller(request), request_id))


handler = lambda_handler(app)
