"""The geometry of small charts drawn as inline SVG by templates/_macros/charts.html: a line of
counts per week, horizontal bars of sizes, and a sparkline.

Computed on the server, so the charts need no JavaScript and no library; the value axis uses
the round steps of the monitoring chart (web/monitoring/chart.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from listening_state.web.monitoring.chart import Y_TICKS, Tick, WeekLabel, nice_ceiling

WIDTH = 720
LINE_HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 32  # room for the axis labels
BAR_LABEL_WIDTH = 280  # theme labels left of the bars
BAR_ROW, BAR_THICKNESS = 26, 18
SPARK_WIDTH, SPARK_HEIGHT = 120, 28


@dataclass(frozen=True)
class Point:
    week_start: date
    count: int
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_bottom: float
    points: list[Point]
    path: str  # the polyline's points attribute
    y_ticks: list[Tick]
    week_labels: list[WeekLabel]
    total: int
    busiest: Point | None  # the week with most submissions (the latest of equal ones)


@dataclass(frozen=True)
class SizeBar:
    label: str
    count: int
    y: float  # the bar's top
    width: float
    height: float
    text_y: float  # the baseline of its label and number, mid-bar


@dataclass(frozen=True)
class SizeBars:
    width: int
    height: int
    bar_left: float
    bars: list[SizeBar]
    x_ticks: list[Tick]  # position is x here
    total: int


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    path: str
    total: int
    peak: int


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def weekly_line(week_starts: Sequence[date], counts: Sequence[int]) -> LineChart:
    """A line through each week's count, round value ticks, a date label every few weeks."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = LINE_HEIGHT - TOP - BOTTOM
    top_value = nice_ceiling(max(counts, default=0))
    step = plot_width / max(len(counts) - 1, 1)
    points = [
        Point(
            week_start=start,
            count=count,
            x=round(LEFT + index * step if len(counts) > 1 else LEFT + plot_width / 2, 1),
            y=round(TOP + plot_height - plot_height * count / top_value, 1),
        )
        for index, (start, count) in enumerate(zip(week_starts, counts, strict=True))
    ]
    y_ticks = [
        Tick(position=round(TOP + plot_height - plot_height * n / Y_TICKS, 1),
             value=top_value * n // Y_TICKS)
        for n in range(Y_TICKS + 1)
    ]  # fmt: skip
    label_every = max(1, -(-len(points) // 8))  # at most about eight date labels
    labels = [
        WeekLabel(x=point.x, week_start=point.week_start)
        for index, point in enumerate(points)
        if (len(points) - 1 - index) % label_every == 0
    ]
    busiest = max(reversed(points), key=lambda point: point.count, default=None)
    return LineChart(
        width=WIDTH,
        height=LINE_HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_bottom=TOP + plot_height,
        points=points,
        path=_path([(point.x, point.y) for point in points]),
        y_ticks=y_ticks,
        week_labels=labels,
        total=sum(counts),
        busiest=busiest if busiest is not None and busiest.count > 0 else None,
    )


def size_bars(labels: Sequence[str], counts: Sequence[int]) -> SizeBars:
    """One horizontal bar per label, longest for the largest count, on a shared round scale."""
    plot_width = WIDTH - BAR_LABEL_WIDTH - RIGHT - 40  # room for the number after each bar
    top_value = nice_ceiling(max(counts, default=0))
    bars = [
        SizeBar(
            label=label,
            count=count,
            y=TOP + index * BAR_ROW,
            width=round(plot_width * count / top_value, 1),
            height=BAR_THICKNESS,
            text_y=TOP + index * BAR_ROW + BAR_THICKNESS / 2,
        )
        for index, (label, count) in enumerate(zip(labels, counts, strict=True))
    ]
    x_ticks = [
        Tick(position=round(BAR_LABEL_WIDTH + plot_width * n / Y_TICKS, 1),
             value=top_value * n // Y_TICKS)
        for n in range(Y_TICKS + 1)
    ]  # fmt: skip
    return SizeBars(
        width=WIDTH,
        height=TOP + len(bars) * BAR_ROW + BOTTOM,
        bar_left=BAR_LABEL_WIDTH,
        bars=bars,
        x_ticks=x_ticks,
        total=sum(counts),
    )


def sparkline(counts: Sequence[int]) -> Sparkline:
    """A theme's weeks as a small line on its own scale: the shape, not the size."""
    peak = max(counts, default=0)
    margin = 2  # keeps the stroke inside the box
    step = (SPARK_WIDTH - 2 * margin) / max(len(counts) - 1, 1)
    height = SPARK_HEIGHT - 2 * margin
    points = [
        (round(margin + index * step, 1), round(margin + height - height * count / (peak or 1), 1))
        for index, count in enumerate(counts)
    ]
    if len(points) == 1:  # one week: a flat line across the box
        points.append((SPARK_WIDTH - margin, points[0][1]))
    return Sparkline(
        width=SPARK_WIDTH, height=SPARK_HEIGHT, path=_path(points), total=sum(counts), peak=peak
    )
