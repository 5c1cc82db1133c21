"""Which file each kind of report is, and how it is made, step by step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from mend.domain import vocabulary as v
from mend.domain.authorization import Actor
from mend.platform.reports import content, pdf, printable, sheets

PDF, HTML, CSV = "application/pdf", "text/html; charset=utf-8", "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Made:
    file_name: str
    content_type: str
    content: bytes


#: How many steps each kind takes before its file is stored (the last step).
STEPS = {"report.case_pdf": 4, "report.case_html": 4, "report.outcomes": 2,
         "csv.outcomes": 2, "csv.caseload": 2}


def make(mend, actor: Actor, kind: str, case_id: UUID | None,
         progress: Callable[[int, int], None]) -> Made:
    """The report as this person may read it; the reader refuses what they may not."""
    total = STEPS[kind] + 1

    def step(done: int) -> None:
        progress(min(done, total - 1), total)

    step(0)
    day = datetime.now(timezone.utc).date().isoformat()
    if kind in v.CASE_REPORT_KINDS:
        report = content.case_report(mend, actor, case_id, step)
        made = (Made(f"case-report-{day}.pdf", PDF, pdf.case_pdf(report))
                if kind == "report.case_pdf" else
                Made(f"case-report-{day}.html", HTML, printable.case_page(report)))
    elif kind == "csv.caseload":
        made = Made(f"caseload-{day}.csv", CSV,
                    sheets.caseload_csv(content.caseload_report(mend, actor, step)))
    else:
        outcomes = content.outcome_report(mend, actor, step)
        made = (Made(f"outcome-report-{day}.pdf", PDF, pdf.outcomes_pdf(outcomes))
                if kind == "report.outcomes" else
                Made(f"outcomes-{day}.csv", CSV, sheets.outcomes_csv(outcomes)))
    step(STEPS[kind])
    return made
