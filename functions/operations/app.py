"""Async jobs (scope ai:generate to start or cancel, ai:read to read): videos, music, any operation,
OpenAI's videos API, and each key's webhook signing secret. Jobs run in Step Functions."""

from fastapi import Request, Response

from tollway.http import operations as ops
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler

app = create_app("operations")


@app.post("/v1/videos/generations")
async def create_video_generation(request: Request) -> Response:
    return await ops.create_job(request, "video")


@app.get("/v1/videos/generations/{operation_id}")
async def get_video_generation(operation_id: str, request: Request) -> Response:
    return await ops.show_operation(request, operation_id, "video")


@app.post("/v1/music/generations")
async def create_music_generation(request: Request) -> Response:
    return await ops.create_job(request, "music")


@app.get("/v1/music/generations/{operation_id}")
async def get_music_generation(operation_id: str, request: Request) -> Response:
    return await ops.show_operation(request, operation_id, "music")


@app.get("/v1/operations/{operation_id}")
async def get_operation(operation_id: str, request: Request) -> Response:
    return await ops.show_operation(request, operation_id)


@app.post("/v1/operations/{operation_id}/cancel")
async def cancel_operation(operation_id: str, request: Request) -> Response:
    return await ops.cancel(request, operation_id)


@app.get("/v1/webhooks/secret")
async def get_webhook_secret(request: Request) -> Response:
    return await ops.webhook_secret(request)


# OpenAI's videos API: `client.videos.create / retrieve / download_content` work unchanged.
@app.post("/v1/videos")
async def create_video(request: Request) -> Response:
    return await ops.create_video(request)


@app.get("/v1/videos/{video_id}")
async def retrieve_video(video_id: str, request: Request) -> Response:
    return await ops.retrieve_video(request, video_id)


@app.get("/v1/videos/{video_id}/content")
async def download_video_content(video_id: str, request: Request) -> Response:
    return await ops.video_content(request, video_id)


handler = lambda_handler(app)
