"""The weekly chart of a case in a PDF: the case page's own geometry (``charts.weekly_chart``)
scaled to the page, drawn in lines and points, with its axes, baseline, week of change and key.
"""

from __future__ import annotations

from mend.platform.reports.pdf_page import GRID, INK, LOW, MUTED, ReportPdf, dashed
from mend.platform.web import charts

#: Each series' colour and dash (mm of line, mm of gap), as the page's stylesheet draws it.
SERIES_STYLE = {"trust_score": ((47, 93, 98), (0, 0)),
                "emotional_safety": ((138, 79, 125), (1.7, 0.85)),
                "communication_ease": ((184, 107, 0), (0.55, 0.85))}


def draw_chart(pdf: ReportPdf, chart: charts.Chart, width: float = 180) -> None:
    """The weekly chart's lines, points, axes, baseline and week of change, then its key."""
    if chart.empty:
        pdf.para("No check-ins yet: the chart begins with the first.")
        return
    scale = width / chart.width
    if pdf.get_y() + chart.height * scale + 12 > pdf.page_break_trigger:
        pdf.add_page()
    left, top = pdf.l_margin, pdf.get_y()

    def at(x: float, y: float) -> tuple[float, float]:
        return left + x * scale, top + y * scale

    pdf.set_line_width(0.2)
    pdf.set_draw_color(*GRID)
    pdf.style(7, colour=MUTED)
    for value, y in chart.y_ticks:
        pdf.line(*at(chart.left, y), *at(chart.right, y))
        pdf.set_xy(left, top + y * scale - 2)
        pdf.cell((chart.left - 6) * scale, 4, str(value), align="R")
    for label, x in chart.x_ticks:
        pdf.set_xy(left + x * scale - 12, top + (chart.bottom + 6) * scale)
        pdf.cell(24, 4, pdf.words(label), align="C")
    if chart.baseline_y is not None:
        pdf.set_draw_color(*INK)
        with dashed(pdf, 1.1, 1.1):
            pdf.line(*at(chart.left, chart.baseline_y), *at(chart.right, chart.baseline_y))
    if chart.change_x is not None:
        pdf.set_draw_color(*LOW)
        pdf.set_line_width(0.6)
        pdf.line(*at(chart.change_x, chart.top), *at(chart.change_x, chart.bottom))
    for line in chart.lines:
        colour, (dash, gap) = SERIES_STYLE[line.key]
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(0.7)
        with dashed(pdf, dash, gap):
            for segment in line.segments:
                points = [at(*map(float, p.split(","))) for p in segment.split()]
                if len(points) > 1:
                    pdf.polyline(points)
        for cx, cy in line.dots:
            pdf.circle(*at(cx, cy), 1.1, style="F")
    pdf.set_y(top + chart.height * scale + 2)
    _key(pdf, chart)


def _key(pdf: ReportPdf, chart: charts.Chart) -> None:
    keys = [(line.label, *SERIES_STYLE[line.key]) for line in chart.lines]
    if chart.baseline_y is not None:
        keys.append(("Baseline", INK, (1.1, 1.1)))
    if chart.change_x is not None:
        keys.append(("Significant change", LOW, (0, 0)))
    pdf.style(8)
    x, y = pdf.l_margin, pdf.get_y() + 2
    for label, colour, (dash, gap) in keys:
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.7)
        with dashed(pdf, dash, gap):
            pdf.line(x, y, x + 8, y)
        pdf.set_xy(x + 9, y - 2)
        text = pdf.words(label)
        pdf.cell(pdf.get_string_width(text) + 1, 4, text)
        x += pdf.get_string_width(text) + 16
    pdf.set_line_width(0.2)
    pdf.set_xy(pdf.l_margin, y + 4)
