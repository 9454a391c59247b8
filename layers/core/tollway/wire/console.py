"""Bodies of the console's JSON API and of the CLI's device-code endpoints.

Strict (unknown fields are a 400) and bounded: every string has a maximum length, so nothing a
client sends can grow an item beyond what the store takes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tollway.auth.keys import DEFAULT_RPM, DEFAULT_SCOPES, PRESET_RPM, known_scopes


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUpStart(_Body):
    name: str = Field(min_length=1, max_length=64)
    invite: str = Field(default="", max_length=64)


class CeremonyAnswer(_Body):
    ceremony: str = Field(min_length=1, max_length=100)
    credential: dict[str, Any]
    passkey_name: str = Field(default="", max_length=64)


class KeyTermsBody(_Body):
    scopes: list[str] = Field(default_factory=lambda: list(DEFAULT_SCOPES), min_length=1, max_length=4)
    rpm: int = DEFAULT_RPM
    cap: Decimal | None = Field(default=None, gt=0)

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: list[str]) -> list[str]:
        return known_scopes(value)

    @field_validator("rpm")
    @classmethod
    def _preset(cls, value: int) -> int:
        if value not in PRESET_RPM:
            raise ValueError(f"must be one of the presets {list(PRESET_RPM)}")
        return value


class CreateKeyBody(KeyTermsBody):
    name: str = Field(min_length=1, max_length=64)


class DeviceApproval(KeyTermsBody):
    code: str = Field(min_length=1, max_length=32)
    approve: bool = True


class RedeemCode(_Body):
    code: str = Field(min_length=1, max_length=32)
    device_name: str = Field(default="", max_length=100)


class DeviceAuthorization(_Body):
    device_name: str = Field(default="", max_length=100)


class DeviceToken(_Body):
    device_code: str = Field(min_length=1, max_length=200)
    # RFC 8628's grant type, accepted so standard clients work; the only one there is.
    grant_type: str = Field(default="urn:ietf:params:oauth:grant-type:device_code", max_length=100)


class AccountCredit(_Body):
    amount: Decimal
    note: str = Field(default="", max_length=200)


class InviteRequest(_Body):
    uses: int = Field(default=1, ge=1, le=10_000)
    expires_in_days: int = Field(default=7, ge=1, le=365)
    note: str = Field(default="", max_length=200)
