"""The geometry of the answers-per-week bar chart, drawn as inline SVG by the template.

Everything is computed here on the server, so the chart needs no JavaScript and no library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 12, 32  # room for the axis labels
BAR_SHARE = 0.7  # of each week's slot; the rest is the gap between bars
Y_TICKS = 4


@dataclass(frozen=True)
class Bar:
    week_start: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    position: float  # y for the value axis, x (a bar's centre) for the week axis
    value: int


@dataclass(frozen=True)
class WeekLabel:
    x: float
    week_start: date


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: float
    plot_bottom: float
    bars: list[Bar]
    y_ticks: list[Tick]
    week_labels: list[WeekLabel]
    total: int
    busiest: Bar | None  # the week with most answers (the latest of equal ones)


def nice_ceiling(value: int, ticks: int = Y_TICKS) -> int:
    """The smallest round number (1, 2 or 5 times a power of ten, per tick) at or above value,
    so the value axis reads 0, 50, 100, 150, 200 rather than 0, 47, 94..."""
    if value <= 0:
        return ticks
    raw_step = value / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw_step))  # magnitude <= raw_step < 10 x magnitude
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw_step)
    return math.ceil(step) * ticks


def weekly_chart(week_starts: list[date], counts: list[int], label_every: int = 4) -> BarChart:
    """Bars for each week, a value axis with round ticks and a label every few weeks."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top_value = nice_ceiling(max(counts, default=0))
    slot = plot_width / max(len(counts), 1)
    bars = []
    for index, (start, count) in enumerate(zip(week_starts, counts, strict=True)):
        height = plot_height * count / top_value
        bars.append(
            Bar(
                week_start=start,
                count=count,
                x=round(LEFT + index * slot + slot * (1 - BAR_SHARE) / 2, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot * BAR_SHARE, 1),
                height=round(height, 1),
            )
        )
    y_ticks = [
        Tick(position=round(TOP + plot_height - plot_height * n / Y_TICKS, 1),
             value=top_value * n // Y_TICKS)
        for n in range(Y_TICKS + 1)
    ]  # fmt: skip
    # Labelled from the latest week backwards, so the current week always has its label.
    labels = [
        WeekLabel(x=round(bar.x + bar.width / 2, 1), week_start=bar.week_start)
        for index, bar in enumerate(bars)
        if (len(bars) - 1 - index) % label_every == 0
    ]
    busiest = max(reversed(bars), key=lambda bar: bar.count, default=None)
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_bottom=TOP + plot_height,
        bars=bars,
        y_ticks=y_ticks,
        week_labels=labels,
        total=sum(counts),
        busiest=busiest if busiest is not None and busiest.count > 0 else None,
    )
