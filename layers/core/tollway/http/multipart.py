"""Reading request bodies that may be multipart/form-data (file uploads) or JSON.

    fields, files = await form_or_json(request)
    fields["model"]                 # "whisper-1"  (repeated fields, and `name[]` fields, become lists)
    files["file"][0]                # Blob(data=b"...", filename="talk.mp3", content_type="audio/mpeg")

Form parsing needs python-multipart. Starlette imports it with `starlette.requests` whenever it is
installed (measured: 2.4 ms of cold start, in every function of the shared layer), so there is no
laziness to win here. The body-size limit of the middleware applies while parsing.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from tollway.errors import InvalidRequest, UnsupportedMediaType
from tollway.http.middleware import BodyTooLarge
from tollway.http.requests import json_object, too_large
from tollway.wire.json_text import has_lone_surrogate
from tollway.wire.media_types import Blob

MAX_FIELDS = 100
MAX_FILES = 20
MAX_FIELD_BYTES = 1024 * 1024  # a text field (a prompt…); files are bounded by the body limit


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def form_or_json(request: Request) -> tuple[dict[str, Any], dict[str, list[Blob]]]:
    """The fields and files of a multipart body, or a JSON object's fields (and no files)."""
    kind = media_type(request)
    if kind == "multipart/form-data":
        return await read_form(request)
    if kind in ("application/json", "") or kind.endswith("+json"):
        return await json_object(request), {}
    raise UnsupportedMediaType(f"Content-Type {kind!r} is not accepted here: send multipart/form-data or "
                               "application/json", code="unsupported_content_type")


async def read_form(request: Request) -> tuple[dict[str, Any], dict[str, list[Blob]]]:
    if media_type(request) != "multipart/form-data":
        raise UnsupportedMediaType("Send this request as multipart/form-data (the file as a part)",
                                   code="unsupported_content_type")
    from starlette.datastructures import UploadFile

    try:
        form = await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
    except BodyTooLarge as exc:
        raise too_large(request, exc) from None
    except Exception as exc:  # noqa: BLE001 - the parser's errors (MultiPartException, HTTPException) are the client's
        detail = getattr(exc, "detail", None) or getattr(exc, "message", None) or "malformed multipart body"
        raise InvalidRequest(f"The multipart body could not be read: {detail}", code="invalid_multipart") from None
    fields: dict[str, Any] = {}
    files: dict[str, list[Blob]] = {}
    try:
        for name, value in form.multi_items():
            _refuse_lone_surrogates(name, value if isinstance(value, str) else value.filename or "")
            if isinstance(value, UploadFile):
                data = await value.read()
                files.setdefault(name, []).append(Blob(data, value.filename or "", value.content_type or ""))
            elif name.endswith("[]"):
                fields.setdefault(name[:-2], []).append(value)
            elif name in fields:
                previous = fields[name]
                fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                fields[name] = value
    finally:
        await form.close()
    return fields, files


def _refuse_lone_surrogates(name: str, text: str) -> None:
    """Fields are decoded with the charset the request's Content-Type names; utf-7 or
    unicode-escape can give text that is not Unicode, which no encoder downstream writes back out."""
    if has_lone_surrogate(name) or has_lone_surrogate(text):
        param = None if has_lone_surrogate(name) else name
        raise InvalidRequest("The multipart body holds a lone UTF-16 surrogate in a field's name, value or "
                             "filename; text must be valid Unicode", code="invalid_multipart", param=param)
