"""Routes for figures: case metrics (as of any date), weekly series, workplace progress,
caseloads, outcome analytics and the tenant's audit feed."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone
from uuid import UUID

from flask_smorest import Blueprint

from mend.domain import authorization as authz
from mend.domain.errors import InvalidValue, NotFound
from mend.platform import schemas as s
from mend.platform.api.cases import viewer
from mend.platform.auth import current_actor, mend
from mend.projections.case_metrics import facts_of_case
from mend.projections.metrics import (
    OutcomeSummary, aggregate_outcomes, compute_metrics, weekly_series, workplace_progress,
)

bp = Blueprint("insights", __name__, url_prefix="/api/v1", description="Metrics and analytics")


def _facts(case_id: UUID, as_of: datetime | None, known_at: datetime | None):
    """The case's facts, once the caller is known to see it; times default to now."""
    actor = current_actor()
    case = mend().casework.get_case(actor, case_id)
    as_of = as_of or datetime.now(timezone.utc)
    if as_of < case.opened_at:
        raise InvalidValue("as_of", "is before the case was opened")
    facts = facts_of_case(mend().casebook, actor.tenant_id, case_id)
    if known_at is not None and known_at < facts.opened_recorded_at:
        raise InvalidValue("known_at", "is before the case was recorded")
    return actor, facts, as_of


@bp.route("/cases/<uuid:case_id>/metrics", methods=["GET"])
@bp.arguments(s.MetricsQuerySchema, location="query")
@bp.response(200, s.MetricsSchema)
def metrics(query, case_id):
    """Trust metrics of a case as of any instant (DESIGN §4 definitions, README decisions).

    Clients see their case's figures; risk, its reasons and red flags are for staff only.
    """
    actor, facts, as_of = _facts(case_id, query["as_of"], query["known_at"])
    body = asdict(compute_metrics(facts, as_of, query["known_at"]))
    if not actor.is_staff:
        body.update(risk=None, risk_reasons=[], open_red_flags=[])
    return {"case_id": case_id, **body}


@bp.route("/cases/<uuid:case_id>/metrics/weekly", methods=["GET"])
@bp.arguments(s.MetricsQuerySchema, location="query")
@bp.response(200, s.WeeklySchema)
def weekly(query, case_id):
    """The weekly series for charts: one point per week (Monday start) from opening."""
    actor, facts, as_of = _facts(case_id, query["as_of"], query["known_at"])
    weeks = [asdict(w) for w in weekly_series(facts, as_of, query["known_at"])]
    if not actor.is_staff:
        for week in weeks:
            week["risk"] = None
    return {"case_id": case_id, "weeks": weeks}


@bp.route("/cases/<uuid:case_id>/progress", methods=["GET"])
@bp.arguments(s.MetricsQuerySchema, location="query")
@bp.response(200, s.ProgressSchema)
def progress(query, case_id):
    """Workplace program progress: steps done of 8, and pulses (hidden below 5 responses)."""
    _, facts, as_of = _facts(case_id, query["as_of"], query["known_at"])
    if facts.kind != "workplace":
        raise NotFound("Only workplace cases have a program.")
    return {"case_id": case_id, **asdict(workplace_progress(facts, as_of, query["known_at"]))}


@bp.route("/caseload", methods=["GET"])
@bp.arguments(s.CaseloadQuerySchema, location="query")
@bp.response(200, s.CaseloadSchema)
def caseload(query):
    """A caseload with stage, status, risk, trust score, last activity and next check-in due.

    Practitioners get their own; supervisors and owners get the whole tenant, or one
    practitioner's with `?practitioner=`. Figures are as of the case's latest event or the
    start of today (UTC), whichever is later. Filters: kind, stage, risk, status; closed
    cases only with `?status=closed`. Ordered by attention: high risk first, then an overdue
    check-in, then the latest activity; `after` takes the previous page's `next`.
    """
    actor = current_actor()
    authz.require_staff(actor, "read caseloads")
    practitioner = query["practitioner"]
    if practitioner is not None and practitioner != actor.account_id:
        authz.require_overseer(actor, "read another practitioner's caseload")
    filters = {k: query[k] for k in ("kind", "stage", "risk", "status") if query[k]}
    offset = int(query["after"]) if query["after"] else 0
    rows = mend().casebook.caseload(viewer(), now=datetime.now(timezone.utc),
                                    limit=query["limit"], offset=offset,
                                    practitioner=practitioner, filters=filters)
    more = len(rows) == query["limit"]
    return {"cases": [{**asdict(row), "practitioners": [
        {"id": account_id, "name": name} for account_id, name in row.practitioners]}
        for row in rows], "next": str(offset + len(rows)) if more else None}


@bp.route("/analytics/outcomes", methods=["GET"])
@bp.response(200, s.OutcomesSchema)
def outcomes():
    """Success rate by approach over the tenant's closed cases (supervisors and owners)."""
    actor = current_actor()
    authz.require_overseer(actor, "read outcome analytics")
    summaries = [
        OutcomeSummary(closed=True, outcome=row.outcome,
                       approach=row.closed_approach or row.approach,
                       months_to_significant_change=row.months_to_change)
        for row in mend().casebook.closed_cases(viewer())
    ]
    return {"approaches": aggregate_outcomes(summaries)}


@bp.route("/audit", methods=["GET"])
@bp.arguments(s.AuditQuerySchema, location="query")
@bp.response(200, s.AuditSchema)
def audit(query):
    """Who did what, when, to which case: the tenant's activity, newest first (owners)."""
    authz.require_owner(current_actor(), "read the audit log")
    entries = mend().casebook.activity(viewer(), before=query["before"], limit=query["limit"])
    return {
        "entries": [
            {**asdict(e), "actor": {"id": e.actor_id, "name": e.actor_name}} for e in entries
        ],
        "next": entries[-1].position if len(entries) == query["limit"] else None,
    }
