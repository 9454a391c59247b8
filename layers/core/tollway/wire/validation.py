"""Pydantic validation as a 400: the first problem, named by its `param` path.

    request = validate(ChatCompletionRequest, raw)   # or raises InvalidRequest(param="messages.0.role")

Error locations name only fields and list positions: pydantic's labels for union members
(`str`, `list[...]`, tags written `<like-this>`, model class names) are left out, and when a value fits no member of
a union, the member it got furthest into is the one reported — for a content list with one bad
image, "messages.0.content.0.source.media_type", not "messages.0.content: should be a string".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tollway.errors import InvalidRequest

M = TypeVar("M", bound=BaseModel)

# Sanity bounds the wire models share. No model writes a million tokens in one answer (the largest
# write about 128k), and a bound far below DynamoDB's 38 digits keeps every reservation computable.
MAX_TOKENS = 1_000_000
INT64 = 2**63

_TYPE_LABELS = frozenset({"str", "int", "float", "bool", "dict", "list", "none"})


def _is_label(part: Any) -> bool:
    # Union members are named by type (`str`, `list[...]`), by tag (`<text>`) or by model class
    # (`ImageURL`: the wire's field names are all lower case).
    return isinstance(part, str) and (part in _TYPE_LABELS or "[" in part or (part[:1] == "<" and part[-1:] == ">")
                                      or (part[:1].isupper() and part.isidentifier()))


def tagged_by_type(known: Iterable[str]) -> Callable[[Any], str]:
    """A union discriminator: `<type>` for the known `type` values, `<other>` for anything else
    (a part that is not even an object then fails as the open `<other>` member, naming its place)."""
    names = frozenset(known)

    def tag(value: Any) -> str:
        kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
        return f"<{kind}>" if isinstance(kind, str) and kind in names else "<other>"

    return tag


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
