"""Chat messages that name an uploaded file by id get the file's content, from the key's own storage.

    raw = await with_files(caller, raw)                   # OpenAI chat body
    raw = await with_files(caller, raw, anthropic=True)   # Anthropic Messages body

OpenAI's `{"type": "file", "file": {"file_id": "file-…"}}` part becomes, by the file's type, an
image part (images), a PDF `file` part with the data inline (PDFs, for models that take documents)
or a text part (text, Markdown, JSON, CSV…). Anthropic's image/document blocks with
`source: {"type": "file", "file_id": …}` become base64 (or text) sources. Files are read from S3
under the key's own prefix only — another key's file is a 404, exactly like a missing one — and
only once the key is verified: a key that is not genuine hears 401 and S3 is never asked.
"""

from __future__ import annotations

import base64
from typing import Any

import anyio

from tollway.auth.caller import Caller
from tollway.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from tollway.storage.files import StoredFile, read_file_object

SCOPE = "ai:generate"
MAX_FILE_BYTES = 20 * 1024 * 1024  # a provider takes at most ~32 MB of inline documents per request
MAX_TOTAL_BYTES = 32 * 1024 * 1024
_TEXT_TYPES = ("application/json", "application/xml", "application/x-yaml", "application/yaml",
               "application/x-ndjson", "application/jsonl")


def _openai_refs(raw: dict[str, Any]) -> list[tuple[int, int, str]]:
    found = []
    for i, message in enumerate(raw.get("messages") or ()):
        content = message.get("content") if isinstance(message, dict) else None
        for j, part in enumerate(content if isinstance(content, list) else ()):
            file = part.get("file") if isinstance(part, dict) and part.get("type") == "file" else None
            if isinstance(file, dict) and isinstance(file.get("file_id"), str) and not file.get("file_data"):
                found.append((i, j, file["file_id"]))
    return found


def _anthropic_refs(raw: dict[str, Any]) -> list[tuple[int, int, str]]:
    found = []
    for i, message in enumerate(raw.get("messages") or ()):
        content = message.get("content") if isinstance(message, dict) else None
        for j, block in enumerate(content if isinstance(content, list) else ()):
            source = block.get("source") if isinstance(block, dict) else None
            if isinstance(source, dict) and source.get("type") == "file" and isinstance(source.get("file_id"), str):
                found.append((i, j, source["file_id"]))
    return found


async def with_files(caller: Caller, raw: dict[str, Any], *, anthropic: bool = False) -> dict[str, Any]:
    refs = _anthropic_refs(raw) if anthropic else _openai_refs(raw)
    if not refs:
        return raw
    # The key is verified before S3 is: a forged key bearing another key's id must learn nothing,
    # not even from how long a missing file takes to be missing. (Cached: warm, no store request.)
    await caller.verified(SCOPE)
    files = await anyio.to_thread.run_sync(_read_all, caller.ref.id, [file_id for _, _, file_id in refs])
    messages = [dict(m) if isinstance(m, dict) else m for m in raw["messages"]]
    for (i, j, _), stored in zip(refs, files, strict=True):
        content = list(messages[i]["content"])
        param = f"messages.{i}.content.{j}"
        content[j] = _anthropic_block(content[j], stored, param) if anthropic else _openai_part(stored, param)
        messages[i]["content"] = content
    return raw | {"messages": messages}


def _read_all(key_id: str, file_ids: list[str]) -> list[StoredFile]:
    files, total = [], 0
    for file_id in file_ids:
        stored = read_file_object(key_id, file_id, MAX_FILE_BYTES)
        total += len(stored.data)
        if total > MAX_TOTAL_BYTES:
            raise PayloadTooLarge(f"The files named in this request add up to more than {MAX_TOTAL_BYTES} bytes",
                                  code="files_too_large", param="messages")
        files.append(stored)
    return files


def _kind(stored: StoredFile, param: str) -> str:
    media_type = stored.content_type.split(";")[0].strip().lower()
    if media_type.startswith("image/"):
        return "image"
    if media_type == "application/pdf":
        return "pdf"
    if media_type.startswith("text/") or media_type in _TEXT_TYPES:
        return "text"
    raise UnsupportedMediaType(f"{param}: a file of type {media_type} cannot be given to a chat model; "
                               "images, PDFs and text files can", code="unsupported_file_type", param=param)


def _text(stored: StoredFile, param: str) -> str:
    try:
        return stored.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{param}: the file {stored.filename} is not UTF-8 text", code="invalid_file",
                             param=param) from None


def _data_uri(stored: StoredFile) -> str:
    return f"data:{stored.content_type.split(';')[0]};base64,{base64.b64encode(stored.data).decode('ascii')}"


def _openai_part(stored: StoredFile, param: str) -> dict[str, Any]:
    kind = _kind(stored, param)
    if kind == "image":
        return {"type": "image_url", "image_url": {"url": _data_uri(stored)}}
    if kind == "pdf":
        return {"type": "file", "file": {"filename": stored.filename, "file_data": _data_uri(stored)}}
    return {"type": "text", "text": f"<file name=\"{stored.filename}\">\n{_text(stored, param)}\n</file>"}


def _anthropic_block(block: dict[str, Any], stored: StoredFile, param: str) -> dict[str, Any]:
    kind = _kind(stored, param)
    media_type = stored.content_type.split(";")[0].strip().lower()
    if kind == "text":
        source = {"type": "text", "media_type": "text/plain", "data": _text(stored, param)}
    else:
        source = {"type": "base64", "media_type": media_type, "data": base64.b64encode(stored.data).decode("ascii")}
    block_type = "image" if kind == "image" else "document"
    return {k: v for k, v in block.items() if k not in ("source", "type")} | {"type": block_type, "source": source}
