"""Case and outcome reports as PDF, drawn with fpdf2: the figures as a table, the weekly
chart in lines and points, and the timeline shared with the clients, with its dates in the
practice's time zone; the outcomes as bars and a table.
"""

from __future__ import annotations

from mend.platform.reports.content import CHART_WEEKS, CaseReport, OutcomeReport
from mend.platform.reports.pdf_chart import draw_chart
from mend.platform.reports.pdf_page import ACCENT, MUTED, TRACK, ReportPdf
from mend.platform.web import charts, words

#: The fields of an entry that hold its free text, as the page's timeline shows them.
BODY_FIELDS = ("title", "question", "text", "note", "summary", "description", "reason")


def figure_rows(report: CaseReport) -> list[tuple[str, str, str]]:
    """Each figure of the case page as (name, value, what it means)."""
    f, help_ = report.figures, words.FIGURE_HELP
    risk = words.word(f.risk) + "".join(f" — {words.risk_reason(r)}" for r in f.risk_reasons)
    change = "not yet"
    if f.significant_change_on:
        change = (f"{words.local(f.significant_change_on, report.heading.tz, 'day')} "
                  f"({f.months_to_significant_change} months)")
    since = f"{f.days_since_setback} days" if f.days_since_setback is not None else "none"
    return [
        ("Risk", risk, help_["risk"]),
        ("Trust score", words.score(f.trust_score), help_["trust_score"]),
        ("Emotional safety", words.score(f.emotional_safety), help_["emotional_safety"]),
        ("Communication ease", words.score(f.communication_ease), help_["communication_ease"]),
        ("Baseline", words.score(f.baseline, 2), help_["baseline"]),
        ("Significant change", change, help_["significant_change_on"]),
        ("Check-in adherence", words.share(f.checkin_adherence), help_["checkin_adherence"]),
        ("Conflicts per week", words.score(f.conflicts_per_week, 2), help_["conflicts_per_week"]),
        ("Setbacks", f"{f.setbacks_30d} in 30 days, {f.setbacks_90d} in 90", help_["setbacks"]),
        ("Since the last setback", since, help_["days_since_setback"]),
        ("Check-ins recorded", str(report.check_ins), "Every check-in since the case opened."),
    ]


def _timeline(pdf: ReportPdf, report: CaseReport) -> None:
    if not report.entries:
        pdf.para("Nothing has been shared with the clients yet.")
    for entry in report.entries:
        if pdf.get_y() > pdf.page_break_trigger - 15:
            pdf.add_page()
        pdf.para(entry.summary, 10, bold=True)
        when = words.local(entry.occurred_at, report.heading.tz)
        if entry.actor.name:
            when += f" · recorded by {entry.actor.name}"
        if entry.held:
            when += " · held back from the portal"
        pdf.para(when, 8.5, colour=MUTED, height=4.5)
        for key in BODY_FIELDS:
            if entry.data.get(key):
                pdf.para(entry.data[key], 9.5, height=4.8)
        pdf.ln(2)


def case_pdf(report: CaseReport) -> bytes:
    case = report.case
    pdf = ReportPdf(report.heading, "Case report")
    status = (f"open since {words.local(case.opened_at, report.heading.tz, 'day')}"
              if case.status == "open" else
              "closed" + (f" ({words.word(case.outcome).lower()})" if case.outcome else ""))
    people = ", ".join(f"{p.name or 'Unnamed'}" + (f" ({p.relation})" if p.relation else "")
                       for p in case.participants) or "none"
    staff = ", ".join(p.name or "Unnamed" for p in case.practitioner_people) or "none assigned"
    about = (f"{words.word(case.kind)} · {words.word(case.approach)} · "
             f"{words.word(case.stage)} · {status}")
    pdf.opening("Case report", case.title,
                [about, f"Participants: {people}", f"Practitioners: {staff}"])
    pdf.section("Figures")
    pdf.grid(("Figure", "Value", "What it means"), figure_rows(report), (40, 50, 90))
    pdf.section("Week by week")
    weeks = report.weeks[-CHART_WEEKS:]
    f = report.figures
    draw_chart(pdf, charts.weekly_chart(weeks, f.baseline, f.significant_change_on))
    if weeks:
        pdf.ln(2)
        pdf.grid(("Week of", "Trust", "Emotional safety", "Communication ease", "Check-ins",
                  "Setbacks"),
                 [(words.local(w.week_start, report.heading.tz, "day"), words.score(w.trust_score),
                   words.score(w.emotional_safety), words.score(w.communication_ease),
                   w.check_ins, w.setbacks) for w in weeks], (34, 24, 34, 38, 25, 25))
    pdf.section("Timeline: what was shared with the clients")
    _timeline(pdf, report)
    return bytes(pdf.output())


def outcomes_pdf(report: OutcomeReport) -> bytes:
    pdf = ReportPdf(report.heading, "Outcome report")
    pdf.opening("Outcome report", "Outcomes by approach", [(
        "Over the practice's closed cases: how many were reconciled, and how long the "
        "reconciled ones took to reach significant change.")])
    pdf.section("Success rate by approach")
    if not any(row.closed for row in report.rows):
        pdf.para("No case has closed yet: the figures begin with the first.")
    else:
        _bars(pdf, report)
    pdf.section("The figures")
    pdf.grid(("Approach", "Closed", "Reconciled", "Success rate",
              "Median months to significant change"),
             [(words.word(r.approach), r.closed, r.reconciled, words.share(r.success_rate),
               "—" if r.median_months_to_change is None else r.median_months_to_change)
              for r in report.rows], (40, 22, 26, 30, 62))
    return bytes(pdf.output())


def _bars(pdf: ReportPdf, report: OutcomeReport) -> None:
    left, top, track = pdf.l_margin, pdf.get_y() + 2, 110.0
    for i, row in enumerate(report.rows):
        y = top + i * 10
        pdf.style(9)
        pdf.set_xy(left, y)
        pdf.cell(40, 7, pdf.words(words.word(row.approach)), align="R")
        pdf.set_fill_color(*TRACK)
        pdf.rect(left + 43, y, track, 7, style="F")
        pdf.set_fill_color(*ACCENT)
        if row.success_rate:
            pdf.rect(left + 43, y, track * row.success_rate, 7, style="F")
        pdf.set_xy(left + 46 + track, y)
        pdf.cell(20, 7, pdf.words(words.share(row.success_rate)))
    pdf.set_xy(left, top + len(report.rows) * 10 + 2)
