"""Usage records summed per day and per model: what the console's charts, `tollway usage` and the
usage API show. Pure functions over the stored records (`usage.store.records_of`).

    days = per_day(records, days=7, now=time.time())      # 7 Day rows, oldest first, UTC, empty days included
    models = per_model(records)                            # ModelTotal rows, most credits first
    totals(records)                                        # one ModelTotal for everything

Every record counts as a request (refusals too: they are what the client sent); `errors` are those
that did not end with a 2xx.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

DAY_S = 86_400


@dataclass
class ModelTotal:
    model: str
    requests: int = 0
    errors: int = 0
    credits_micro: int = 0
    tokens_in: int = 0
    tokens_out: int = 0

    def add(self, record: dict[str, Any]) -> None:
        self.requests += 1
        self.errors += 0 if 200 <= int(record.get("http_status") or 0) < 300 else 1
        self.credits_micro += int(record.get("credits_micro") or 0)
        self.tokens_in += int(record.get("tokens_in") or 0)
        self.tokens_out += int(record.get("tokens_out") or 0)


@dataclass
class Day:
    date: str  # YYYY-MM-DD, UTC
    requests: int = 0
    errors: int = 0
    credits_micro: int = 0
    models: dict[str, ModelTotal] = field(default_factory=dict)

    def add(self, record: dict[str, Any]) -> None:
        model = str(record.get("model") or "?")
        self.models.setdefault(model, ModelTotal(model)).add(record)
        self.requests += 1
        self.errors += 0 if 200 <= int(record.get("http_status") or 0) < 300 else 1
        self.credits_micro += int(record.get("credits_micro") or 0)


def day_of(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")


def window_start(days: int, now: float) -> float:
    """The first second of the oldest of `days` UTC days ending today."""
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=days - 1)).timestamp()


def per_day(records: Iterable[dict[str, Any]], days: int, now: float) -> list[Day]:
    start = window_start(days, now)
    rows = {day_of(start + i * DAY_S): Day(day_of(start + i * DAY_S)) for i in range(days)}
    for record in records:
        row = rows.get(day_of(float(record["at"])))
        if row is not None:
            row.add(record)
    return list(rows.values())


def per_model(records: Iterable[dict[str, Any]]) -> list[ModelTotal]:
    found: dict[str, ModelTotal] = {}
    for record in records:
        model = str(record.get("model") or "?")
        found.setdefault(model, ModelTotal(model)).add(record)
    return sorted(found.values(), key=lambda m: (-m.credits_micro, -m.requests, m.model))


def totals(records: Iterable[dict[str, Any]]) -> ModelTotal:
    total = ModelTotal("all")
    for record in records:
        total.add(record)
    return total
