"""The ledger's conservation law, checked from the store itself:

    start + top-ups = balance + charges + outstanding holds      (micro-credits, exactly)

`charges` is the sum of the key's usage records' `credits_micro`, `holds` the amounts still held on
its item (`pending`). Used after every money attack and by the ledger's property test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Books:
    balance: int
    charges: int
    holds: int
    records: list[dict[str, Any]]
    leases: dict[str, int]


def books(key_id: str) -> Books:
    from tollway.ledger.books import key_books

    found = key_books(key_id)
    return Books(balance=found.balance, charges=found.charges, holds=found.holds, records=found.records,
                 leases=found.leases)


def assert_conserved(key_id: str, start_micro: int, top_ups_micro: int = 0) -> Books:
    found = books(key_id)
    assert start_micro + top_ups_micro == found.balance + found.charges + found.holds, found
    return found
