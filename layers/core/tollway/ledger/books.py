"""A key's books, read from the store: what its balance, its charges and its holds add up to.

    found = key_books(key_id)
    found.balance + found.charges + found.holds      # = start + top-ups, always (micro-credits)
    spendable(key_id)                                 # what the key may still spend: free + leased

`holds` counts per-request holds and what leases hold, less the charges of batches a lease wrote but
has not applied yet (they are already among `charges`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tollway.ledger.holds import PENDING
from tollway.ledger.lease_store import LEASES, read_key, unapplied_batches
from tollway.usage.store import records_of


@dataclass(frozen=True)
class KeyBooks:
    balance: int
    charges: int
    holds: int
    leased: int  # of `holds`: what leases hold, net of their unapplied charges
    records: list[dict[str, Any]] = field(default_factory=list)
    leases: dict[str, int] = field(default_factory=dict)  # each live lease's net amount


def _leases(key_id: str, item: dict[str, Any]) -> dict[str, int]:
    nets = {}
    for lease_id, entry in item.get(LEASES, {}).get("M", {}).items():
        fields = entry["M"]
        if "released" in fields:
            continue
        pending = sum(charges for _, charges, _ in unapplied_batches(key_id, lease_id, fields))
        nets[lease_id] = int(fields["amount"]["N"]) - pending
    return nets


def _leased(key_id: str, item: dict[str, Any]) -> int:
    return sum(_leases(key_id, item).values())


def key_books(key_id: str) -> KeyBooks:
    item = read_key(key_id)
    if item is None:
        raise KeyError(key_id)
    records = records_of(key_id)
    leases = _leases(key_id, item)
    leased = sum(leases.values())
    holds = sum(int(hold["M"]["amount"]["N"]) for hold in item.get(PENDING, {}).get("M", {}).values()) + leased
    return KeyBooks(balance=int(item["balance"]["N"]), charges=sum(int(r["credits_micro"]) for r in records),
                    holds=holds, leased=leased, records=records, leases=leases)


def spendable(key_id: str, item: dict[str, Any]) -> int:
    """The balance as the key's owner sees it: free credits and the unspent part of its leases."""
    return int(item["balance"]["N"]) + _leased(key_id, item)
