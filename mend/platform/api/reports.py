"""Reports made as jobs: ask for one, follow its run, take its file.

Asking answers 202 at once with the run; the run's state says how far the job has come, and
once it is done its file can be fetched. Who may ask and who may read are the same rules as
the pages': a case report for the staff who may read the case, outcome reports for
supervisors and owners, a caseload for the person whose caseload it is. A run the caller may
not read is a 404, as another tenant's is. Every report made and every file fetched is
recorded for the audit feed.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, url_for
from flask_smorest import Blueprint

from mend.platform import schemas as s
from mend.platform.auth import current_actor, mend
from mend.projections.queries import from_us
from mend.workers import reports
from mend.workers.runs import Run

bp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports")

FILE_TYPES = ("application/pdf", "text/html", "text/csv")


def _state(run: Run) -> dict[str, Any]:
    done = run.state == "done"
    return {
        "run_id": run.run_id, "kind": run.kind, "case_id": run.subject_id, "state": run.state,
        "done": run.done, "total": run.total, "percent": run.percent, "reason": run.reason,
        "file_name": run.file_name, "content_type": run.content_type,
        "requested_at": from_us(run.created_us),
        "finished_at": from_us(run.finished_us) if run.finished_us else None,
        "file_url": url_for("reports.report_file", run_id=run.run_id) if done else None,
    }


def _asked(kind: str, case_id: UUID | None = None) -> Any:
    actor = current_actor()
    run = reports.readable(mend(), actor, reports.ask(mend(), actor, kind, case_id))
    return _state(run), 202, {"Location": url_for("reports.report_run", run_id=run.run_id)}


@bp.route("/cases/<uuid:case_id>/reports", methods=["POST"])
@bp.arguments(s.CaseReportRequestSchema)
@bp.response(202, s.RunSchema)
def case_report(body, case_id):
    """Ask for a report of the case (staff who may read it): its figures, weekly chart and
    the timeline shared with its clients, as a PDF or a printable page."""
    return _asked(body["kind"], case_id)


@bp.route("/reports", methods=["POST"])
@bp.arguments(s.ReportRequestSchema)
@bp.response(202, s.RunSchema)
def tenant_report(body):
    """Ask for the outcome report (PDF) or the outcomes by approach as CSV (supervisors and
    owners), or the caller's caseload as CSV (staff)."""
    return _asked(body["kind"])


@bp.route("/reports/<uuid:run_id>", methods=["GET"])
@bp.response(200, s.RunSchema)
def report_run(run_id):
    """How far a report has come: queued, running (done of total steps), done or failed."""
    return _state(reports.readable(mend(), current_actor(), run_id))


@bp.route("/reports/<uuid:run_id>/file", methods=["GET"])
@bp.doc(responses={"200": {"description": "The report's file", "content": {
    kind: {"schema": {"type": "string", "format": "binary"}} for kind in FILE_TYPES}},
    "409": {"$ref": "#/components/responses/CONFLICT"}})
def report_file(run_id):
    """The report's file, once made (409 before); fetching it is recorded."""
    run, content = reports.download(mend(), current_actor(), run_id)
    return Response(content, content_type=run.content_type, headers={
        "Content-Disposition": f'attachment; filename="{run.file_name}"',
        "Cache-Control": "no-store"})
