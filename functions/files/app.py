"""The Files API on S3 (reading: ai:read; writing: ai:generate), and presigned uploads for files
larger than a Lambda request can carry."""

from fastapi import Request, Response

from tollway import endpoints
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.multipart import read_form
from tollway.http.replies import caller, render
from tollway.http.requests import json_object, optional_json_object
from tollway.http.openapi import declares, form_body, json_body, query_params
from tollway.wire.openai_files import FileCreateParams, FileListParams, UploadCompleteParams, UploadCreateParams

app = create_app("files", too_large_hint=endpoints.USE_UPLOADS)


@app.post("/v1/files")
@declares(form_body(FileCreateParams, ["file"], required_files=["file"]))
async def create_file(request: Request) -> Response:
    return render(await endpoints.create_file(caller(request), lambda: read_form(request)))


@app.get("/v1/files")
@declares(query_params(FileListParams))
async def list_files(request: Request) -> Response:
    return render(await endpoints.list_files(caller(request), dict(request.query_params)))


@app.get("/v1/files/{file_id}")
async def retrieve_file(file_id: str, request: Request) -> Response:
    return render(await endpoints.retrieve_file(caller(request), file_id))


@app.delete("/v1/files/{file_id}")
async def delete_file(file_id: str, request: Request) -> Response:
    return render(await endpoints.delete_file(caller(request), file_id))


@app.get("/v1/files/{file_id}/content")
async def file_content(file_id: str, request: Request) -> Response:
    return render(await endpoints.file_content(caller(request), file_id))


@app.post("/v1/uploads")
@declares(json_body(UploadCreateParams))
async def create_upload(request: Request) -> Response:
    return render(await endpoints.create_upload(caller(request), lambda: json_object(request)))


@app.post("/v1/uploads/{upload_id}/complete")
@declares(json_body(UploadCompleteParams, required=False))
async def complete_upload(upload_id: str, request: Request) -> Response:
    return render(await endpoints.complete_upload(caller(request), upload_id, lambda: optional_json_object(request)))


@app.post("/v1/uploads/{upload_id}/cancel")
async def cancel_upload(upload_id: str, request: Request) -> Response:
    return render(await endpoints.cancel_upload(caller(request), upload_id))


handler = lambda_handler(app)
