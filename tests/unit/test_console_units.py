"""Pure pieces of the console: usage summed per day and per model, device codes as typed, and the
charts' escaping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tollway.auth.device_codes import ALPHABET, LENGTH, display, new_code, normalize
from tollway.http.console.charts import daily_bars, model_bars, model_colors
from tollway.usage.summary import per_day, per_model, totals

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC).timestamp()
DAY = 86_400


def record(at: float, model: str = "gpt-4o", credits: int = 100, status: int = 200, tokens: int = 5) -> dict:  # type: ignore[type-arg]
    return {"request_id": f"req_{at}", "at": at, "model": model, "credits_micro": credits, "http_status": status,
            "tokens_in": tokens, "tokens_out": tokens}


def test_per_day_keeps_every_day_of_the_window_oldest_first_in_utc() -> None:
    records = [record(NOW), record(NOW - 3600 * 14, "claude"), record(NOW - 2 * DAY, credits=7),
               record(NOW - 7 * DAY), record(NOW + DAY)]  # outside the window on both sides
    days = per_day(records, 7, NOW)
    assert [d.date for d in days] == [f"2026-11-{n}" for n in range(25, 31)] + ["2026-12-01"]
    assert (days[-1].requests, days[-1].credits_micro, sorted(days[-1].models)) == (2, 200, ["claude", "gpt-4o"])
    assert days[-3].credits_micro == 7 and sum(d.requests for d in days) == 3
    assert len(per_day([], 30, NOW)) == 30


def test_per_model_sorts_by_credits_and_counts_errors() -> None:
    records = [record(NOW, "a", 1), record(NOW, "b", 5, status=402), record(NOW, "b", 5), record(NOW, "c", 5)]
    models = per_model(records)
    assert [(m.model, m.requests, m.errors, m.credits_micro) for m in models] == [
        ("b", 2, 1, 10), ("c", 1, 0, 5), ("a", 1, 0, 1)]
    assert (totals(records).requests, totals(records).errors, totals(records).tokens_in) == (4, 1, 20)


@pytest.mark.parametrize(("typed", "code"), [
    ("abcd-2345", "ABCD2345"), (" ABCD 2345 ", "ABCD2345"), ("ABCD2345", "ABCD2345"),
    ("ABCD-234", None), ("ABCD-23456", None), ("ABCD-0000", None), ("IIII-LLLL", None), ("ABCD-UUUU", None),
    ("", None), ("ABCD\x002345", None), ("A" * 40, None), (12345678, None),
])
def test_codes_are_read_as_typed_and_nothing_ambiguous_is_one(typed: object, code: str | None) -> None:
    assert normalize(typed) == code


def test_new_codes_use_only_the_unambiguous_alphabet() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("01OILU") & set(ALPHABET) and display("ABCD2345") == "ABCD-2345"


def test_charts_escape_model_names_and_draw_one_segment_per_model_and_day() -> None:
    hostile = '<script>alert(1)</script>"'
    days = per_day([record(NOW, hostile), record(NOW, "gpt-4o"), record(NOW - DAY, "gpt-4o")], 7, NOW)
    colors = model_colors(days)
    svg = str(daily_bars(days, "requests", colors))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and svg.count("<rect") == 3
    bars = str(model_bars(per_model([record(NOW, hostile)]), "credits", colors))
    assert "<script>" not in bars and bars.count("<rect") == 1
    assert "No requests" in str(model_bars([], "credits", colors))
