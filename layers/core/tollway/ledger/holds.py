"""What a reservation is on the item whose balance holds it, what admitting a request produced, and
why a request was refused — shared by admission of operator keys (admission.py), of keys of an
account (accounts.py), settlement and the sweeper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tollway.auth.keys import KeyRef
from tollway.errors import AuthenticationFailed, InsufficientCredits, PermissionDenied, RateLimited
from tollway.ledger import rate_window as rate
from tollway.ledger.money import format_credits

PENDING = "pending"


@dataclass(frozen=True)
class Hold:
    """How a reservation is named on the key's item, and when the sweeper may release it."""

    id: str  # the request or operation id
    seconds: float
    endpoint: str
    model: str

    def item(self, amount: int, now: float, *, key_id: str | None = None, capped: bool = False) -> dict[str, Any]:
        # `at` (the admission time, exactly as the usage record's date uses it) lets the sweeper write
        # the record at the very item a late settlement will look for. On an account's item, `key`
        # names the key the request came with (its usage record, and its spending cap to restore).
        fields = {"amount": {"N": str(amount)}, "until": {"N": str(int(now + self.seconds))},
                  "at": {"N": repr(now)}, "endpoint": {"S": self.endpoint}, "model": {"S": self.model}}
        if key_id is not None:
            fields |= {"key": {"S": key_id}, "capped": {"BOOL": capped}}
        return {"M": fields}


@dataclass(frozen=True)
class Admission:
    key_id: str
    hold_id: str  # the request or operation id naming the hold in `pending`
    reserved: int
    balance_after: int
    rpm: int
    used: int
    stale_windows: tuple[str, ...]
    now: float
    # The item whose balance holds the reservation: the key's own, or its account's (accounts.py),
    # and whether the key's spending cap (`cap_left` on the key's item) was drawn on too.
    balance_item: str = ""
    capped: bool = False

    @property
    def holder(self) -> str:
        return self.balance_item or self.key_id

    def rate_headers(self) -> dict[str, str]:
        return rate.headers(self.rpm, self.used, self.now)


def refusal(ref: KeyRef, scope: str, reserve: int, item: dict[str, Any] | None, now: float) -> Exception:
    """Which check failed, in the order a client should hear about them."""
    if not item or item.get("key_hash", {}).get("S") != ref.hash:
        return AuthenticationFailed("Invalid API key")
    if "revoked_at" in item:
        return AuthenticationFailed("This API key has been revoked", code="revoked_api_key")
    if scope not in item.get("scopes", {}).get("SS", []):
        return PermissionDenied(f"This API key lacks the scope {scope!r}")
    rpm = int(item["rpm"]["N"])
    used = int(item.get(rate.attribute(rate.window(now)), {}).get("N", 0))
    if used >= rpm:
        headers = rate.headers(rpm, used, now) | {"retry-after": str(rate.seconds_to_reset(now))}
        return RateLimited(f"Rate limit of {rpm} requests per minute reached", headers=headers)
    headers = rate.headers(rpm, used, now)
    balance = int(item["balance"]["N"])
    return InsufficientCredits(
        f"Insufficient credits: this request may cost up to {format_credits(reserve)} credits "
        f"and the balance is {format_credits(balance)}",
        headers=headers,
    )
