"""Image generation, edits and variations from admission to settlement.

    reply = await generate_images(caller, {"prompt": "a fox", "n": 2, "response_format": "url"})
    reply.body["data"]      # [{"url": "https://…presigned…"}, …]

Reserves n images at the model's price per image and charges the images actually returned. With
`response_format: url` the images are stored under the key's own prefix in S3 and handed out as
presigned GET URLs (about an hour); a failure to store them refunds the call like an upstream failure.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.catalog import ModelSpec
from tollway.catalog.media_models import EDIT, GENERATE, VARIATION
from tollway.endpoints.media_call import choose, default_model, metered_call, require
from tollway.endpoints.reply import Reply
from tollway.endpoints.storage_inputs import with_storage_ref
from tollway.errors import InvalidRequest
from tollway.providers.media_base import IMAGE_EDITS, IMAGE_GENERATION, IMAGE_VARIATIONS, ImageJob, Picture
from tollway.storage.media import store_media
from tollway.wire.json_files import json_files
from tollway.wire.media_types import Blob, check_image
from tollway.wire.openai_images import ImageCreateVariationParams, ImageEditParams, ImageGenerateParams
from tollway.wire.validation import validate


async def generate_images(caller: Caller, raw: dict[str, Any]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    request = validate(ImageGenerateParams, raw)
    spec, generator = await choose(caller, request.model or default_model(GENERATE), "image", IMAGE_GENERATION)
    await require(caller, spec, GENERATE, "image generation")
    job = ImageJob(spec.id, request.prompt, request.n, request.size, request.passed_through(), request.steps)
    return await _deliver(caller, spec, "images.generations", job, request.delivery(spec.id),
                          lambda: generator.generate_images(job))


async def edit_images(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    fields, files = _with_json_files(fields, files)
    fields, files = await with_storage_ref(caller, fields, files, "image")
    request = validate(ImageEditParams, fields)
    images = [check_image(b.data, b.filename, b.content_type, param="image")
              for b in files.get("image", []) + files.get("image[]", [])]
    if not images:
        raise InvalidRequest("image: send the image to edit as a multipart file or base64 JSON", code="missing_file", param="image")
    masks = files.get("mask", [])
    mask = check_image(masks[0].data, masks[0].filename, masks[0].content_type, param="mask") if masks else None
    spec, editor = await choose(caller, request.model or default_model(EDIT), "image", IMAGE_EDITS)
    await require(caller, spec, EDIT, "image edits")
    job = ImageJob(spec.id, request.prompt, request.n, request.size, request.passed_through(), request.steps)
    return await _deliver(caller, spec, "images.edits", job, request.delivery(spec.id),
                          lambda: editor.edit_images(job, images, mask))


async def create_variations(caller: Caller, fields: dict[str, Any], files: dict[str, list[Blob]]) -> Reply:
    caller.ref  # a malformed key is a 401 before anything else
    fields, files = _with_json_files(fields, files)
    fields, files = await with_storage_ref(caller, fields, files, "image")
    request = validate(ImageCreateVariationParams, fields)
    uploads = files.get("image", [])
    if not uploads:
        raise InvalidRequest("image: send the image to vary as a multipart file or base64 JSON", code="missing_file",
                             param="image")
    image = check_image(uploads[0].data, uploads[0].filename, uploads[0].content_type, param="image")
    spec, variator = await choose(caller, request.model or default_model(VARIATION), "image", IMAGE_VARIATIONS)
    await require(caller, spec, VARIATION, "image variations")
    job = ImageJob(spec.id, "", request.n, request.size, request.passed_through(), request.steps)
    return await _deliver(caller, spec, "images.variations", job, request.delivery(spec.id),
                          lambda: variator.vary_image(job, image))


def _with_json_files(fields: dict[str, Any], files: dict[str, list[Blob]]
                     ) -> tuple[dict[str, Any], dict[str, list[Blob]]]:
    """A JSON body's `image` and `mask` (base64) as the files a multipart body would have carried."""
    if files:
        return fields, files
    fields = dict(fields)
    return fields, json_files(fields, ("image", "image[]", "mask"))


async def _deliver(caller: Caller, spec: ModelSpec, endpoint: str, job: ImageJob, delivery: str,
                   work: Callable[[], Awaitable[list[Picture]]]) -> Reply:
    async def produce() -> list[dict[str, Any]]:
        pictures = (await work())[:job.n]  # never pay for more than was asked for
        return await anyio.to_thread.run_sync(_items, caller.ref.id, pictures, delivery)

    items, meter = await metered_call(caller, spec, endpoint, spec.unit_cost(job.n), produce)
    await meter.settle(spec.unit_cost(len(items)))
    return Reply(meter.headers, body={"created": int(time.time()), "data": items})


def _items(key_id: str, pictures: list[Picture], delivery: str) -> list[dict[str, Any]]:
    items = []
    for picture in pictures:
        if delivery == "url":
            item: dict[str, Any] = {"url": store_media(key_id, picture.data, picture.content_type).url}
        else:
            item = {"b64_json": base64.b64encode(picture.data).decode("ascii")}
        if picture.revised_prompt:
            item["revised_prompt"] = picture.revised_prompt
        items.append(item)
    return items
