"""Files sent inside a JSON body, as the /infra/ai image routes take them: the same Blobs a multipart
part would give.

    files = json_files(fields, ("image", "mask"))     # pops the fields it decodes

A file is a base64 string (plain or a `data:<type>;base64,` URL), or an object
`{"data" (or "b64_json"): base64, "content_type"?, "filename"?}`; a list of them for several. A value
that is not one of these is a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from tollway.errors import InvalidRequest
from tollway.wire.base64_data import decode_base64
from tollway.wire.media_types import Blob

MAX_JSON_FILES = 16


def _blob(value: Any, param: str) -> Blob:
    content_type = filename = None
    if isinstance(value, dict):
        content_type, filename = value.get("content_type"), value.get("filename")
        value = value.get("data", value.get("b64_json"))
        if not isinstance(content_type, (str, type(None))) or not isinstance(filename, (str, type(None))):
            raise InvalidRequest(f"{param}: content_type and filename are strings", code="invalid_value", param=param)
    if not isinstance(value, str) or not value:
        raise InvalidRequest(f"{param}: a file is base64 (or a data: URL), or {{\"data\": base64, \"content_type\"}}",
                             code="invalid_value", param=param)
    try:
        data, declared = decode_base64(value)
    except ValueError:
        raise InvalidRequest(f"{param}: is not valid base64", code="invalid_base64", param=param) from None
    return Blob(data, filename or "", content_type or declared or "")


def json_files(fields: dict[str, Any], names: tuple[str, ...]) -> dict[str, list[Blob]]:
    files: dict[str, list[Blob]] = {}
    for name in names:
        if name not in fields:
            continue
        value = fields.pop(name)
        values = value if isinstance(value, list) else [value]
        if len(values) > MAX_JSON_FILES:
            raise InvalidRequest(f"{name}: at most {MAX_JSON_FILES} files", code="invalid_value", param=name)
        files[name] = [_blob(v, f"{name}.{i}" if isinstance(value, list) else name) for i, v in enumerate(values)]
    return files
