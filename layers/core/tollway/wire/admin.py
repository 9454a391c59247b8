"""Admin API bodies."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tollway.auth.keys import DEFAULT_RPM, DEFAULT_SCOPES, MAX_RPM, MIN_RPM, OPERATOR_SCOPES, known_scopes


class CreateKeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    credits: Decimal = Field(ge=0)
    rpm: int = Field(default=DEFAULT_RPM, ge=MIN_RPM, le=MAX_RPM)
    scopes: list[str] = Field(default_factory=lambda: list(DEFAULT_SCOPES), min_length=1)

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: list[str]) -> list[str]:
        return known_scopes(value, OPERATOR_SCOPES)


class CreditRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal
