"""Reports from the pages: a case report (PDF or printable page) from the case page, the
outcome report and its CSV from the outcomes page, the caseload's CSV from the dashboard.

Each button posts, the report is asked for as a job, and the browser goes to the run's page,
which refreshes itself (no script) until the file is ready and then offers it. Who may ask
and who may read are ``mend.workers.reports``'s rules; a refusal is a page in words.
"""

from __future__ import annotations

from uuid import UUID

import marshmallow as ma
from flask import Response, redirect, request, url_for

from mend.platform import schemas as s
from mend.platform.auth import mend
from mend.platform.reports.printable import POLICY
from mend.platform.web.pages import actor, error_page, pages_blueprint, render, staff_only
from mend.projections.queries import from_us
from mend.projections.summaries import REPORT_WORDS
from mend.workers import reports

bp = pages_blueprint("report_pages", __name__)


def _ask(schema: ma.Schema, case_id: UUID | None = None):
    try:
        kind = schema.load({"kind": request.form.get("kind", "")})["kind"]
    except ma.ValidationError as error:
        detail = "; ".join(f"{field}: {' '.join(m)}" for field, m in error.messages.items())
        return error_page(422, "That report is not one Mend makes", detail)
    run_id = reports.ask(mend(), actor(), kind, case_id)
    return redirect(url_for("report_pages.run_page", run_id=run_id))


@bp.route("/cases/<uuid:case_id>/reports", methods=["POST"])
@staff_only
def make_case_report(case_id: UUID):
    """A report of the case: ``kind`` report.case_pdf or report.case_html."""
    return _ask(s.CaseReportRequestSchema(), case_id)


@bp.route("/reports", methods=["POST"])
@staff_only
def make_report():
    """The outcome report (PDF or CSV, supervisors and owners) or the caseload's CSV."""
    return _ask(s.ReportRequestSchema())


@bp.route("/reports/<uuid:run_id>")
@staff_only
def run_page(run_id: UUID):
    """How far the report has come; the page reloads itself until it is made."""
    run = reports.readable(mend(), actor(), run_id)
    back = (url_for("case_pages.case_page", case_id=run.subject_id) if run.subject_id
            else url_for("admin.outcomes") if "outcomes" in run.kind
            else url_for("caseload.dashboard"))
    title = REPORT_WORDS[run.kind]
    return render("web/report_run.html", run=run, back=back, title=title[:1].upper() + title[1:],
                  asked_at=from_us(run.created_us), waiting=run.state in ("queued", "running"))


@bp.route("/reports/<uuid:run_id>/file")
@staff_only
def run_file(run_id: UUID):
    """The report's file: a printable page opens in the browser, the rest download."""
    run, content = reports.download(mend(), actor(), run_id)
    opens = run.content_type.startswith("text/html")
    disposition = "inline" if opens else "attachment"
    return Response(content, content_type=run.content_type, headers={
        "Content-Disposition": f'{disposition}; filename="{run.file_name}"',
        "Cache-Control": "no-store"})


# The printable page carries its own style: it is served under a policy allowing only that.
run_file.talisman_view_options = {"content_security_policy": POLICY}
