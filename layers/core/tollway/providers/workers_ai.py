"""Cloudflare Workers AI text-to-image models (Stable Diffusion XL and the other `@cf/...` ones).

    provider = WorkersAI(instance("workers_ai"))     # CF_ACCOUNT_ID, CF_API_TOKEN, CF_BASE_URL
    pictures = await provider.generate_images(ImageJob("@cf/stabilityai/stable-diffusion-xl-base-1.0",
                                                       "a lighthouse", n=2, size="1024x1024"))

`POST {base}/accounts/{account}/ai/run/{model}` with {prompt, width, height, …} answers one image:
raw PNG bytes for SDXL, or JSON {"result": {"image": base64}} for models such as FLUX. One call per
image, made concurrently; if some fail, the ones that succeeded are returned (and charged).
"""

from __future__ import annotations

import asyncio
from typing import Any

from tollway.config import secret
from tollway.errors import InvalidRequest, TollwayError, UpstreamError
from tollway.providers.media_base import ImageJob, Picture
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.instances import ProviderInstance
from tollway.providers.upstream_paths import UpstreamPath
from tollway.upstream_ids import is_id

MIN_SIDE, MAX_SIDE = 256, 2048
# Model inputs a client may set besides prompt and size (the SDXL schema's names).
PASSED = ("negative_prompt", "num_steps", "guidance", "seed", "strength")
MAX_STEPS = {"@cf/black-forest-labs/flux-1-schnell": 8}


def _first_error(parsed: Any) -> str | None:
    errors = parsed.get("errors") if isinstance(parsed, dict) else None
    message = errors[0].get("message") if isinstance(errors, list) and errors and isinstance(errors[0], dict) else None
    return message if isinstance(message, str) else None


class WorkersAI:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name
        self._account_env = instance.extra["account_env"]  # the account is part of every path
        self.http = UpstreamHTTP(instance.upstream(),
                                 error_message=_first_error)

    def configured(self) -> bool:
        # The account is part of every path: without a well-formed one there is nothing to call.
        return is_id(secret(self._account_env)) and self.http.configured()

    async def generate_images(self, job: ImageJob) -> list[Picture]:
        width, height = _dimensions(job.size)
        body = {"prompt": job.prompt, "width": width, "height": height,
                **{k: v for k, v in job.extra.items() if k in PASSED and v is not None}}
        if job.steps is not None:  # Workers AI's name; FLUX schnell takes at most 8, SDXL 20
            body["num_steps"] = min(job.steps, MAX_STEPS.get(job.model, 20))
        path = self.http.path("/accounts/{account}/ai/run/{model:path}", account=str(secret(self._account_env)),
                              model=job.model)
        outcomes = await asyncio.gather(*(self._one(path, body) for _ in range(job.n)), return_exceptions=True)
        pictures = [o for o in outcomes if isinstance(o, Picture)]
        if not pictures:
            failure = next(o for o in outcomes if isinstance(o, BaseException))
            raise failure if isinstance(failure, TollwayError) else UpstreamError(f"{self.name} failed")
        return pictures

    async def _one(self, path: UpstreamPath, body: dict[str, Any]) -> Picture:
        response = await self.http.send("POST", path, json=body)
        if response.headers.get("content-type", "").startswith("application/json"):
            result = self.http.json(response).get("result")
            return Picture.decode(self.name, result.get("image") if isinstance(result, dict) else None)
        return Picture.of(self.name, response.content)


def _dimensions(size: str | None) -> tuple[int, int]:
    if not size or size == "auto":
        return 1024, 1024
    width, height = (int(side) for side in size.split("x"))
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise InvalidRequest(f"size: Workers AI images are {MIN_SIDE} to {MAX_SIDE} pixels on each side",
                             code="invalid_value", param="size")
    return width, height
