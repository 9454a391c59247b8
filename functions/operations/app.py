"""Async jobs (scope ai:generate to start or cancel, ai:read to read): videos, music, any operation,
OpenAI's videos API, each key's webhook signing secret and its named webhook topics. Jobs run in
Step Functions. Any operation reads and cancels at /infra/ai/operations/{id} too."""

from fastapi import Request, Response

from tollway.endpoints import (
    cancel_operation,
    create_video,
    delete_webhook,
    list_webhooks,
    register_webhook,
    retrieve_video,
    show_operation,
    start_job,
    video_content,
    webhook_secret,
)
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.multipart import form_or_json
from tollway.http.replies import caller, render
from tollway.http.requests import json_object
from tollway.http.openapi import declares, form_body, json_body
from tollway.wire.operations import MusicGenerationRequest, VideoGenerationRequest, WebhookTopicRequest

app = create_app("operations")


@app.post("/v1/videos/generations")
@declares(json_body(VideoGenerationRequest))
async def create_video_generation(request: Request) -> Response:
    return render(await start_job(caller(request), "video", await json_object(request)))


@app.get("/v1/videos/generations/{operation_id}")
async def get_video_generation(operation_id: str, request: Request) -> Response:
    return render(await show_operation(caller(request), operation_id, "video"))


@app.post("/v1/music/generations")
@declares(json_body(MusicGenerationRequest))
async def create_music_generation(request: Request) -> Response:
    return render(await start_job(caller(request), "music", await json_object(request)))


@app.get("/v1/music/generations/{operation_id}")
async def get_music_generation(operation_id: str, request: Request) -> Response:
    return render(await show_operation(caller(request), operation_id, "music"))


@app.get("/infra/ai/operations/{operation_id}")
@app.get("/v1/operations/{operation_id}")
async def get_operation(operation_id: str, request: Request) -> Response:
    return render(await show_operation(caller(request), operation_id))


@app.post("/infra/ai/operations/{operation_id}/cancel")
@app.post("/v1/operations/{operation_id}/cancel")
async def cancel(operation_id: str, request: Request) -> Response:
    return render(await cancel_operation(caller(request), operation_id))


@app.get("/v1/webhooks/secret")
async def get_webhook_secret(request: Request) -> Response:
    return render(await webhook_secret(caller(request)))


@app.post("/v1/webhooks")
@declares(json_body(WebhookTopicRequest))
async def create_webhook_topic(request: Request) -> Response:
    who = caller(request)
    return render(await register_webhook(who, await json_object(request)))


@app.get("/v1/webhooks")
async def list_webhook_topics(request: Request) -> Response:
    return render(await list_webhooks(caller(request)))


@app.delete("/v1/webhooks/{topic}")
async def delete_webhook_topic(topic: str, request: Request) -> Response:
    return render(await delete_webhook(caller(request), topic))


# OpenAI's videos API: `client.videos.create / retrieve / download_content` work unchanged.
@app.post("/v1/videos")
@declares(form_body(VideoGenerationRequest, ["input_reference"], json_allowed=True))
async def create_openai_video(request: Request) -> Response:
    who = caller(request)
    return render(await create_video(who, *await form_or_json(request)))


@app.get("/v1/videos/{video_id}")
async def retrieve_openai_video(video_id: str, request: Request) -> Response:
    return render(await retrieve_video(caller(request), video_id))


@app.get("/v1/videos/{video_id}/content")
async def download_video_content(video_id: str, request: Request) -> Response:
    return render(await video_content(caller(request), video_id, request.query_params.get("variant", "video")))


handler = lambda_handler(app)
