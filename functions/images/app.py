"""Images (scope ai:generate): generations (JSON; `"async": true` makes an operation), edits and
variations (multipart), and analysis (an image and a prompt → text from a vision model). /infra/ai/images/*
are the canonical routes, /v1/images/* their aliases."""

from fastapi import Request, Response

from tollway.endpoints import analyze_image, create_variations, edit_images, generate_images
from tollway.http.app import create_app
from tollway.http.lambda_handler import lambda_handler
from tollway.http.replies import form_call, json_call
from tollway.http.openapi import declares, form_body, json_body
from tollway.wire.openai_images import (ImageAnalysisParams, ImageCreateVariationParams, ImageEditParams,
                                          ImageGenerateParams)

app = create_app("images")


@app.post("/infra/ai/images/generations")
@app.post("/v1/images/generations")
@declares(json_body(ImageGenerateParams))
async def generate(request: Request) -> Response:
    return await json_call(request, generate_images, job="image")  # "async": true → an operation


# Multipart, or JSON with the `image` (and `mask`) as base64.
@app.post("/infra/ai/images/edits")
@app.post("/v1/images/edits")
@declares(form_body(ImageEditParams, ["image", "mask"], required_files=["image"]))
async def edit(request: Request) -> Response:
    return await form_call(request, edit_images, json_allowed=True)


@app.post("/infra/ai/images/variations")
@app.post("/v1/images/variations")
@declares(form_body(ImageCreateVariationParams, ["image"], required_files=["image"]))
async def create_variation(request: Request) -> Response:
    return await form_call(request, create_variations, json_allowed=True)


@app.post("/v1/images/analysis")
@declares(form_body(ImageAnalysisParams, ["image"], json_allowed=True))
async def analyze(request: Request) -> Response:
    return await form_call(request, analyze_image, json_allowed=True)


handler = lambda_handler(app)
