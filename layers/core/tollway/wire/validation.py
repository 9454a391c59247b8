"""Pydantic validation as a 400: the first problem, named by its `param` path.

    request = validate(ChatCompletionRequest, raw)   # or raises InvalidRequest(param="messages.0.role")

Error locations name only fields and list positions: pydantic's labels for union members
(`str`, `list[...]`, tags written `<like-this>`) are left out, and when a value fits no member of
a union, the member it got furthest into is the one reported — for a content list with one bad
image, "messages.0.content.0.source.media_type", not "messages.0.content: should be a string".
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tollway.errors import InvalidRequest

M = TypeVar("M", bound=BaseModel)

_TYPE_LABELS = frozenset({"str", "int", "float", "bool", "dict", "list", "none"})


def _is_label(part: Any) -> bool:
    return isinstance(part, str) and (part in _TYPE_LABELS or "[" in part or (part[:1] == "<" and part[-1:] == ">"))


def param_path(loc: tuple[Any, ...]) -> str | None:
    return ".".join(str(p) for p in loc if not _is_label(p)) or None


def validate(model: type[M], raw: dict[str, Any]) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        # The deepest error is the most specific one (same depth: the first, in field order).
        first = max(errors, key=lambda e: len([p for p in e["loc"] if not _is_label(p)]))
        param = param_path(tuple(first["loc"]))
        message = first["msg"].removeprefix("Value error, ")  # pydantic's prefix for our own validators
        raise InvalidRequest(f"{param}: {message}" if param else message,
                             code="invalid_value", param=param) from None
