"""The geometry of an indicator's line chart, worked out here so the template only draws it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dialogue.core.formats import number

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


@dataclass
class LineChart:
    width: int = WIDTH
    height: int = HEIGHT
    points: list[dict] = field(default_factory=list)
    polyline: str = ""
    target_y: float | None = None
    target_label: str = ""
    ticks: list[dict] = field(default_factory=list)
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def _nice_step(span: float) -> float:
    raw = span / 4 or 1
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= raw)


def line_chart(periods: list[str], values: list[float], target: float | None, unit: str = "") -> LineChart:
    """Points evenly spaced by period, a y axis from a little below the lowest to above the highest."""
    chart = LineChart()
    if not values:
        return chart
    low = min([*values, *([target] if target is not None else [])])
    high = max([*values, *([target] if target is not None else [])])
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if high == low:
        high = low + step
    plot_h = chart.bottom - TOP

    def y(value: float) -> float:
        return round(chart.bottom - (value - low) / (high - low) * plot_h, 1)

    span = chart.right - chart.left
    count = len(values)
    for index, (period, value) in enumerate(zip(periods, values, strict=True)):
        x = round(chart.left + (span / 2 if count == 1 else index * span / (count - 1)), 1)
        chart.points.append({"x": x, "y": y(value), "period": period, "label": number(value)})
    chart.polyline = " ".join(f"{p['x']},{p['y']}" for p in chart.points)
    tick = low
    while tick <= high + step / 1000:
        chart.ticks.append({"y": y(tick), "label": number(tick)})
        tick += step
    if target is not None:
        chart.target_y = y(target)
        chart.target_label = f"{number(target)} {unit}".strip()
    return chart
