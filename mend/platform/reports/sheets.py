"""The caseload and the outcomes by approach as CSV, safe to open in a spreadsheet.

A cell that begins with = + - @ (or a tab or carriage return) is a formula to a spreadsheet:
a case title typed as ``=HYPERLINK(...)`` would run when the file is opened. Such cells get a
leading apostrophe, which spreadsheets show as text and do not evaluate.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from mend.platform.reports.content import CaseloadReport, OutcomeReport
from mend.platform.web import words

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CASELOAD_HEADER = ("Title", "Kind", "Stage", "Risk", "Trust score", "Next check-in",
                   "Practitioners")
OUTCOMES_HEADER = ("Approach", "Closed", "Reconciled", "Success rate (%)",
                   "Median months to significant change")


def inert(value: Any) -> str:
    """A cell's text, never read as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([inert(cell) for cell in row] for row in rows)
    # A byte-order mark, so that a spreadsheet reads the names as UTF-8, not Latin-1.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def caseload_rows(report: CaseloadReport) -> list[tuple[str, ...]]:
    tz = report.heading.tz
    return [(
        row.title, words.word(row.kind), words.word(row.stage), words.word(row.risk),
        "" if row.trust_score is None else f"{row.trust_score:.1f}",
        row.next_checkin_due.astimezone(tz).date().isoformat() if row.next_checkin_due else "",
        "; ".join(p.name or "Unnamed" for p in row.practitioners),
    ) for row in report.rows]


def caseload_csv(report: CaseloadReport) -> bytes:
    return _csv(CASELOAD_HEADER, caseload_rows(report))


def outcomes_csv(report: OutcomeReport) -> bytes:
    return _csv(OUTCOMES_HEADER, [(
        words.word(row.approach), row.closed, row.reconciled,
        "" if row.success_rate is None else round(row.success_rate * 100),
        "" if row.median_months_to_change is None else row.median_months_to_change,
    ) for row in report.rows])
