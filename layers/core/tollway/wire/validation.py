"""Pydantic validation with the OpenAI error shape: the first problem, named by its `param`."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tollway.errors import InvalidRequest

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], raw: dict[str, Any]) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        message = first["msg"].removeprefix("Value error, ")  # pydantic's prefix for our own validators
        raise InvalidRequest(f"{param}: {message}" if param else message,
                             code="invalid_value", param=param) from None
