"""Routes for figures: case metrics (as of any date), weekly series, workplace progress,
caseloads, outcome analytics and the tenant's audit feed."""

from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from mend.platform import schemas as s
from mend.platform.auth import current_actor, mend

bp = Blueprint("insights", __name__, url_prefix="/api/v1", description="Metrics and analytics")


@bp.route("/cases/<uuid:case_id>/metrics", methods=["GET"])
@bp.arguments(s.MetricsQuerySchema, location="query")
@bp.response(200, s.MetricsSchema)
def metrics(query, case_id):
    """Trust metrics of a case as of any instant (DESIGN §4 definitions, README decisions).

    Clients see their case's figures; risk, its reasons and red flags are for staff only.
    """
    figures = mend().reader.figures(current_actor(), case_id, **query)
    return {"case_id": figures.case_id, **asdict(figures.metrics)}


@bp.route("/cases/<uuid:case_id>/metrics/weekly", methods=["GET"])
@bp.arguments(s.MetricsQuerySchema, location="query")
@bp.response(200, s.WeeklySchema)
def weekly(query, case_id):
    """The weekly series for charts: one point per week (Monday start) from opening."""
    return {"case_id": case_id, "weeks": mend().reader.weekly(current_actor(), case_id, **query)}


@bp.route("/cases/<uuid:case_id>/progress", methods=["GET"])
@bp.arguments(s.MetricsQuerySchema, location="query")
@bp.response(200, s.ProgressSchema)
def progress(query, case_id):
    """Workplace program progress: steps done of 8, and pulses (hidden below 5 responses)."""
    progress = mend().reader.progress(current_actor(), case_id, **query)
    return {"case_id": case_id, **asdict(progress)}


@bp.route("/cases/<uuid:case_id>/standing", methods=["GET"])
@bp.arguments(s.MetricsQuerySchema, location="query")
@bp.response(200, s.StandingSchema)
def standing(query, case_id):
    """Where the case stands: active boundaries, agreements (how often kept), open red flags
    (staff only), the latest readiness checklist and each person's latest, and rituals."""
    return {"case_id": case_id, **vars(mend().reader.standing(current_actor(), case_id,
                                                               **query))}


@bp.route("/caseload", methods=["GET"])
@bp.arguments(s.CaseloadQuerySchema, location="query")
@bp.response(200, s.CaseloadSchema)
def caseload(query):
    """A caseload with stage, status, risk, trust score, last activity and next check-in due.

    Practitioners get their own; supervisors and owners get the whole tenant, or one
    practitioner's with `?practitioner=`. Figures are as of the case's latest event or the
    start of today (UTC), whichever is later. Filters: kind, stage, risk, status, and words
    of the title; closed cases only with `?status=closed`. Ordered by attention: high risk
    first, then an overdue check-in, then the latest activity; `after` takes the previous
    page's `next`.
    """
    filters = {k: query[k] for k in ("kind", "stage", "risk", "status", "title")}
    return mend().reader.caseload(current_actor(), practitioner=query["practitioner"],
                                  filters=filters, limit=query["limit"], after=query["after"])


@bp.route("/analytics/outcomes", methods=["GET"])
@bp.response(200, s.OutcomesSchema)
def outcomes():
    """Success rate by approach over the tenant's closed cases (supervisors and owners)."""
    return {"approaches": mend().reader.outcomes(current_actor())}


@bp.route("/audit", methods=["GET"])
@bp.arguments(s.AuditQuerySchema, location="query")
@bp.response(200, s.AuditSchema)
def audit(query):
    """Who did what, when, to which case: the tenant's activity, newest first (owners)."""
    entries, more = mend().reader.audit(
        current_actor(), before=query["before"], limit=query["limit"], who=query["actor"],
        types=query["type"], since=query["since"], until=query["until"])
    return {"entries": entries, "next": more}
