"""Weekly figures, and a workplace's trust pulses, drawn as SVG line charts on the server:
geometry only, no styling rules.

The template draws what this returns (lines as point lists, axis ticks, the baseline and the
week of significant change), and prints the same numbers as a table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timezone, tzinfo

from mend.projections.metrics import PulsePoint, WeekPoint

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28
SERIES = (
    ("trust_score", "Trust"),
    ("emotional_safety", "Emotional safety"),
    ("communication_ease", "Communication ease"),
)


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    points: str  # "x,y x,y …" for <polyline>; a gap in the data starts a new segment
    segments: tuple[str, ...]
    #: Weeks with a value and none on either side: a point a polyline would not draw.
    dots: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: tuple[Line, ...]
    y_ticks: tuple[tuple[int, float], ...]  # (value, y)
    x_ticks: tuple[tuple[str, float], ...]  # (label, x)
    baseline_y: float | None
    change_x: float | None
    left: int
    right: int
    top: int
    bottom: int
    empty: bool


def _y(value: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 10), 1)


def weekly_chart(weeks: tuple[WeekPoint, ...], baseline: float | None,
                 change_on: date | None) -> Chart:
    n = len(weeks)
    span = WIDTH - LEFT - RIGHT

    def x(i: int) -> float:
        return round(LEFT + (span * i / (n - 1) if n > 1 else span / 2), 1)

    lines = []
    for key, label in SERIES:
        segments, current = [], []
        for i, week in enumerate(weeks):
            value = getattr(week, key)
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            current.append(f"{x(i)},{_y(value)}")
        if current:
            segments.append(" ".join(current))
        dots = tuple(tuple(float(c) for c in seg.split(",")) for seg in segments
                     if " " not in seg)
        lines.append(Line(key, label, " ".join(segments), tuple(segments), dots))
    step = max(1, n // 6)
    x_ticks = tuple((f"{w.week_start.day} {w.week_start:%b}", x(i))
                    for i, w in enumerate(weeks) if i % step == 0)
    change_x = None
    if change_on is not None:
        for i, week in enumerate(weeks):
            if week.week_start <= change_on:
                change_x = x(i)
    return Chart(
        width=WIDTH, height=HEIGHT, lines=tuple(lines),
        y_ticks=tuple((v, _y(v)) for v in (0, 2, 4, 6, 8, 10)), x_ticks=x_ticks,
        baseline_y=None if baseline is None else _y(baseline), change_x=change_x,
        left=LEFT, right=WIDTH - RIGHT, top=TOP, bottom=HEIGHT - BOTTOM,
        empty=not any(line.segments for line in lines),
    )


#: The closest two date labels of the pulse chart may sit, in chart units, before one is
#: left out (the table below the chart names every date).
PULSE_TICK_GAP = 90
#: How far the first and last pulse sit inside the plot, so that a date centred under either
#: stays inside the picture (the labels are drawn larger on a phone).
PULSE_INSET = 36


def pulse_chart(pulses: Sequence[PulsePoint], tz: tzinfo = timezone.utc) -> Chart:
    """The published pulses' means over time on the 0–10 scale, one dot per pulse joined by a
    line. The x axis follows the dates, so pulses a week apart sit closer than a month apart;
    a pulse with too few answers has no mean to draw and is left out."""
    shown = [p for p in pulses if p.published and p.mean is not None]
    start, span = LEFT + PULSE_INSET, WIDTH - LEFT - RIGHT - 2 * PULSE_INSET
    first = shown[0].occurred_at if shown else None
    total = (shown[-1].occurred_at - first).total_seconds() if shown else 0.0

    def x(pulse: PulsePoint) -> float:
        if not total:
            return round(start + span / 2, 1)
        return round(start + span * (pulse.occurred_at - first).total_seconds() / total, 1)

    dots = tuple((x(p), _y(p.mean)) for p in shown)
    points = " ".join(f"{cx},{cy}" for cx, cy in dots)
    segments = (points,) if len(dots) > 1 else ()
    x_ticks: list[tuple[str, float]] = []
    for pulse, (cx, _) in zip(shown, dots):
        if not x_ticks or cx - x_ticks[-1][1] >= PULSE_TICK_GAP:
            day = pulse.occurred_at.astimezone(tz)
            x_ticks.append((f"{day.day} {day:%b}", cx))
    return Chart(
        width=WIDTH, height=HEIGHT,
        lines=(Line("pulse_mean", "Pulse mean", points, segments, dots),),
        y_ticks=tuple((v, _y(v)) for v in (0, 2, 4, 6, 8, 10)), x_ticks=tuple(x_ticks),
        baseline_y=None, change_x=None,
        left=LEFT, right=WIDTH - RIGHT, top=TOP, bottom=HEIGHT - BOTTOM,
        empty=not shown,
    )
