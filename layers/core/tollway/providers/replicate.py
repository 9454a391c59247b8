"""Replicate-style async predictions: create, poll, fetch the output URL, cancel.

    POST /models/{owner}/{name}/predictions  {"input": {...}}   (or POST /predictions with "version")
    GET  /predictions/{id}        status starting | processing | succeeded | failed | canceled
    POST /predictions/{id}/cancel

The gateway's model name is `replicate/<owner>/<name>` (or `…:<version>` to pin a version); any
server with the same API works through REPLICATE_BASE_URL. Outputs are file URLs: the first one
is the result.
"""

from __future__ import annotations

import dataclasses
import re
from typing import IO, Any
from urllib.parse import urlsplit

from tollway.errors import InvalidRequest, UpstreamError
from tollway.providers.http_upstream import UpstreamHTTP
from tollway.providers.instances import ProviderInstance
from tollway.providers.jobs import JobRequest, JobStatus, download
from tollway.providers.redaction import clipped

_MODEL = re.compile(r"^replicate/(?P<owner>[a-z0-9][a-z0-9_.-]*)/(?P<name>[a-z0-9][a-z0-9_.-]*)"
                    r"(?::(?P<version>[0-9a-f]{8,128}))?$")
_RUNNING = frozenset({"starting", "processing"})


def model_path(model: str) -> tuple[str, str, str | None]:
    """`replicate/owner/name[:version]` → (owner, name, version), or a 400 naming `model`."""
    match = _MODEL.match(model)
    if match is None:
        raise InvalidRequest("model: Replicate models are named replicate/<owner>/<name>[:<version>] "
                             "(lowercase)", code="invalid_value", param="model")
    return match["owner"], match["name"], match["version"]


class Replicate:
    def __init__(self, instance: ProviderInstance) -> None:
        self.name = instance.name
        config = instance.upstream()
        self.http = UpstreamHTTP(config)
        # Output files on other hosts are fetched without the token: it must never leave the API.
        self.delivery = UpstreamHTTP(dataclasses.replace(config, api_key_env=None), confined=False)

    def configured(self) -> bool:
        return self.http.configured()

    async def submit(self, request: JobRequest) -> JobStatus:
        owner, name, version = model_path(request.model)
        body: dict[str, Any] = {"input": {**(request.params.get("input") or {}), "prompt": request.params["prompt"]}}
        if version:
            url, body["version"] = self.http.path("/predictions"), version
        else:
            url = self.http.path("/models/{model:path}/predictions", model=f"{owner}/{name}")
        return _status(self.http.json(await self.http.send("POST", url, json=body)))

    async def poll(self, upstream_id: str) -> JobStatus:
        path = self.http.returned_path("/predictions/{id}", id=upstream_id)
        return _status(self.http.json(await self.http.send("GET", path)))

    async def download(self, output: dict[str, Any], sink: IO[bytes], max_bytes: int) -> str:
        url = str(output["url"])
        # The API's own file URLs need the token; delivery URLs elsewhere must never receive it.
        http = self.http if urlsplit(url)[:2] == urlsplit(self.http.base_url())[:2] else self.delivery
        return await download(http, http.returned_url(url), sink, max_bytes)

    async def cancel(self, upstream_id: str) -> None:
        await self.http.send("POST", self.http.returned_path("/predictions/{id}/cancel", id=upstream_id))


def _first_url(output: Any) -> str | None:
    if isinstance(output, str) and urlsplit(output).scheme in ("http", "https"):
        return output
    if isinstance(output, list):
        return next((u for item in output if (u := _first_url(item))), None)
    if isinstance(output, dict):
        return next((u for item in output.values() if (u := _first_url(item))), None)
    return None


def _status(prediction: Any) -> JobStatus:
    if not isinstance(prediction, dict) or not isinstance(prediction.get("id"), str):
        raise UpstreamError("replicate answered without a prediction id")
    pid, status = prediction["id"], prediction.get("status")
    if status in _RUNNING:
        return JobStatus("running", upstream_id=pid)
    if status == "succeeded":
        url = _first_url(prediction.get("output"))
        if url is None:
            return JobStatus("failed", upstream_id=pid, code="no_output",
                             message="replicate: the prediction succeeded without an output file")
        return JobStatus("succeeded", upstream_id=pid, progress=100, output={"url": url}, units=1)
    if status in ("failed", "canceled", "aborted"):
        error = prediction.get("error")
        reason = error if isinstance(error, str) and error else f"the prediction was {status} upstream"
        return JobStatus("failed", upstream_id=pid, code=f"upstream_{status}",
                         message="replicate: " + clipped(reason))
    raise UpstreamError(f"replicate answered with an unknown prediction status {clipped(str(status), limit=40)!r}")
