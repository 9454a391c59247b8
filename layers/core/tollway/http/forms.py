"""Reading a body that may be JSON or a form (multipart uploads, as the OpenAI SDK sends them).

    fields, files = await form_or_json(request)
    fields["prompt"]                 # JSON values as sent; form fields as strings
    await files["file"].read()       # uploads (multipart only)
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from tollway.errors import InvalidRequest, PayloadTooLarge
from tollway.http.middleware import BodyTooLarge
from tollway.http.requests import json_object

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def form_or_json(request: Request, max_files: int = 4) -> tuple[dict[str, Any], dict[str, UploadFile]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        return await json_object(request), {}
    try:
        form = await request.form(max_files=max_files, max_fields=100)
    except BodyTooLarge as exc:
        raise PayloadTooLarge(f"Request body is larger than the limit of {exc.limit} bytes") from None
    except HTTPException as exc:  # starlette's answer to a malformed multipart body
        raise InvalidRequest(f"The form cannot be read: {exc.detail}", code="invalid_form") from None
    fields: dict[str, Any] = {}
    files: dict[str, UploadFile] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            files[name] = value
        else:
            fields[name] = value
    return fields, files

