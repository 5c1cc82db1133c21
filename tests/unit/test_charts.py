"""The weekly chart's geometry: a lone week is drawn as a dot, a gap breaks the line."""

from __future__ import annotations

from datetime import date, timedelta

from mend.platform.web.charts import weekly_chart
from mend.projections.metrics import WeekPoint


def weeks(*trust: float | None) -> tuple[WeekPoint, ...]:
    start = date(2026, 9, 7)
    return tuple(WeekPoint(start + timedelta(weeks=i), t, t, t, int(t is not None), 0, "low")
                 for i, t in enumerate(trust))


def trust_line(chart):
    return next(line for line in chart.lines if line.key == "trust_score")


def test_a_single_week_of_check_ins_is_drawn_as_a_dot():
    line = trust_line(weekly_chart(weeks(None, None, 6.0), None, None))
    assert len(line.dots) == 1 and line.dots[0][1] < 212  # above the zero line


def test_a_week_without_check_ins_breaks_the_line_and_a_lone_week_after_is_a_dot():
    line = trust_line(weekly_chart(weeks(4.0, 5.0, None, 7.0), None, None))
    assert len(line.segments) == 2 and len(line.dots) == 1
    assert line.segments[0].count(",") == 2  # the first two weeks, joined


def test_no_check_ins_means_an_empty_chart():
    assert weekly_chart(weeks(None, None), None, None).empty
