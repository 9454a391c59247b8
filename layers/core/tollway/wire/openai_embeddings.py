"""POST /v1/embeddings: the request as OpenAI defines it, and the response built for non-OpenAI upstreams.

    >>> request = validate(EmbeddingCreateParams, {"model": "text-embedding-3-small", "input": ["a", "b"]})
    >>> request.estimated_tokens()
    2
    >>> embedding_list([[0.5, 0.25]], "text-embedding-004", "base64")["data"][0]["embedding"]
    'AAAAPwAAgD4='

`input` is a string, a list of strings, a token array or a list of token arrays (at most 2048
inputs); the openai SDK sends `encoding_format: base64` unless told otherwise and decodes it itself.
"""

from __future__ import annotations

import base64
import struct
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tollway.wire.token_estimate import estimate_text_tokens

MAX_INPUTS = 2048


class EmbeddingCreateParams(BaseModel):
    # Strict: the body goes upstream as sent, so a value must be what it says (`"dimensions": true`).
    model_config = ConfigDict(extra="allow", strict=True)

    model: str | None = Field(default=None, min_length=1, max_length=256)  # None: the catalog's default
    input: Any
    dimensions: int | None = Field(default=None, ge=1, le=65_536)
    encoding_format: Literal["float", "base64"] = "float"
    user: str | None = None

    @field_validator("input")
    @classmethod
    def _strings_or_tokens(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value:
                raise ValueError("must not be empty")
            return value
        if not isinstance(value, list) or not value:
            raise ValueError("must be a string, a list of strings or a list of token arrays, and not empty")
        if len(value) > MAX_INPUTS:
            raise ValueError(f"at most {MAX_INPUTS} inputs per request")
        if all(_token(t) for t in value):
            return value
        for item in value:
            if isinstance(item, str) and item:
                continue
            if isinstance(item, list) and item and all(_token(t) for t in item):
                continue
            raise ValueError("every item must be a non-empty string or a non-empty array of token ids")
        return value

    def estimated_tokens(self) -> int:
        """An upper-leaning token count for the reservation (token arrays count exactly)."""
        items = [self.input] if isinstance(self.input, str) or _token(self.input[0]) else self.input
        return sum(estimate_text_tokens(item) if isinstance(item, str) else len(item) for item in items)


def _token(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def encode_floats(values: list[float]) -> str:
    """OpenAI's base64 embedding: the vector as little-endian float32, base64-encoded."""
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")


def embedding_list(vectors: list[list[float]], model: str, encoding_format: str) -> dict[str, Any]:
    """A CreateEmbeddingResponse without `usage` (routing adds what it charged for)."""
    data = [{"object": "embedding", "index": i,
             "embedding": encode_floats(v) if encoding_format == "base64" else v} for i, v in enumerate(vectors)]
    return {"object": "list", "data": data, "model": model}
