"""POST /v1/moderations: OpenAI's request, checked before it is admitted.

    >>> validate(ModerationCreateParams, {"input": ["one", "two"]}).model
    'omni-moderation-latest'
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_INPUTS = 32


class ModerationCreateParams(BaseModel):
    # Strict: the body goes upstream as sent, so a value must be what it says (`"dimensions": true`).
    model_config = ConfigDict(extra="allow", strict=True)

    input: Any
    model: str | None = Field(default=None, min_length=1, max_length=256)  # None: the catalog's default

    @field_validator("input")
    @classmethod
    def _text_or_parts(cls, value: Any) -> Any:
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and 0 < len(value) <= MAX_INPUTS and all(
                (isinstance(v, str) and v) or (isinstance(v, dict) and isinstance(v.get("type"), str)) for v in value):
            return value
        raise ValueError(f"must be a non-empty string, or a list of 1 to {MAX_INPUTS} strings or "
                         "{\"type\": …} content parts")
