"""Usage charts as inline SVG, drawn on the server: no chart library, no script, nothing fetched.

    palette = model_colors(days)                       # model → colour, the same in every chart of a page
    daily_bars(days, "credits", palette)               # Markup: one bar per day, stacked by model
    model_bars(models, "requests", palette)            # Markup: one horizontal bar per model

Every label is escaped (a model name is text, whatever it contains); each bar segment carries a
<title>, which browsers show on hover and screen readers read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from markupsafe import Markup, escape

from tollway.ledger.money import to_credits
from tollway.usage.summary import Day, ModelTotal

Metric = Literal["credits", "requests"]
COLORS = ("#4f46e5", "#0891b2", "#d97706", "#059669", "#db2777", "#7c3aed", "#65a30d", "#dc2626", "#0284c7",
          "#a16207")
OTHER = "#9ca3af"


def model_colors(days: list[Day]) -> dict[str, str]:
    models = sorted({m for day in days for m in day.models})
    return {m: COLORS[i] if i < len(COLORS) else OTHER for i, m in enumerate(models)}


def _value(total: ModelTotal | Day, metric: Metric) -> Decimal:
    return to_credits(total.credits_micro) if metric == "credits" else Decimal(total.requests)


def _label(value: Decimal, metric: Metric) -> str:
    if metric == "requests":
        return f"{int(value)}"
    if value >= 1:
        return f"{value.quantize(Decimal('0.01')):f}".removesuffix(".00")
    return f"{value.normalize():f}" if value else "0"


def _nice_step(top: Decimal, metric: Metric) -> Decimal:
    """A round step (1, 2 or 5 × a power of ten; whole numbers for counts) with 4 steps at or above `top`."""
    if top <= 0:
        return Decimal(1) if metric == "requests" else Decimal("0.25")
    rough = top / 4
    scale = Decimal(10) ** rough.adjusted()
    step = next(scale * m for m in (1, 2, 5, 10) if scale * m >= rough)
    return max(step, Decimal(1)) if metric == "requests" else step


def daily_bars(days: list[Day], metric: Metric, colors: dict[str, str], width: int = 720, height: int = 220) -> Markup:
    left, bottom, top = 76, 24, 8
    plot_w, plot_h = width - left - 8, height - bottom - top
    step = _nice_step(max((_value(d, metric) for d in days), default=Decimal(0)), metric)
    axis_max = step * 4
    slot = plot_w / max(len(days), 1)
    bar = max(2.0, slot * 0.7)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(metric)} per day" data-metric="{escape(metric)}">']
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
                     f'{escape(_label(step * i, metric))}</text>')
    every = 1 if len(days) <= 10 else 5
    for index, day in enumerate(days):
        x = left + index * slot + (slot - bar) / 2
        y = top + plot_h
        for model in sorted(day.models):
            value = _value(day.models[model], metric)
            if value <= 0:
                continue
            h = float(value / axis_max) * plot_h
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(h, 0.5):.1f}" '
                         f'fill="{colors.get(model, OTHER)}"><title>{escape(day.date)} · {escape(model)}: '
                         f'{escape(_label(value, metric))}</title></rect>')
        if index % every == 0 or index == len(days) - 1:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - 6}" class="axis" text-anchor="middle">'
                         f'{escape(day.date[5:])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def model_bars(models: list[ModelTotal], metric: Metric, colors: dict[str, str], width: int = 720) -> Markup:
    if not models:
        return Markup('<p class="muted">No requests in this period.</p>')
    row, label_w = 26, 220
    height = row * len(models) + 4
    top_value = max(_value(m, metric) for m in models) or Decimal(1)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(metric)} per model">']
    for i, total in enumerate(models):
        value = _value(total, metric)
        y = i * row + 4
        w = float(value / top_value) * (width - label_w - 90)
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" class="axis" text-anchor="end">{escape(total.model[:40])}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{max(w, 1):.1f}" height="18" '
                     f'fill="{colors.get(total.model, OTHER)}"><title>{escape(total.model)}: '
                     f'{escape(_label(value, metric))}</title></rect>'
                     f'<text x="{label_w + max(w, 1) + 6:.1f}" y="{y + 15}" class="axis">'
                     f'{escape(_label(value, metric))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
