"""The export of a case's whole record (owners), for a client's request for their data or a
hand-over to another practice. Every export is recorded and shows in the audit feed."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone

from flask_smorest import Blueprint

from mend.platform import schemas as s
from mend.platform.api.cases import case_detail, timeline_event, viewer
from mend.platform.auth import current_actor, mend
from mend.projections.case_metrics import facts_of_case
from mend.projections.metrics import compute_metrics

bp = Blueprint("exports", __name__, url_prefix="/api/v1", description="Exports")

PAGE = 500


@bp.route("/cases/<uuid:case_id>/export", methods=["GET"])
@bp.response(200, s.CaseExportSchema)
def export_case(case_id):
    """The case's whole record as the owner may read it: details, figures and every event.

    Private journal entries stay private: they are their author's, not the practice's. The
    export is recorded (who, when, which case, how many events) before it is answered.
    """
    actor = current_actor()
    case = mend().casework.case_for_export(actor, case_id)
    exported_at = datetime.now(timezone.utc)
    events, after = [], None
    while True:
        page = mend().casebook.timeline(viewer(), case_id, after=after, limit=PAGE)
        events += [timeline_event(e) for e in page]
        if len(page) < PAGE:
            break
        after = page[-1].cursor
    facts = facts_of_case(mend().casebook, actor.tenant_id, case_id)
    mend().casework.record_export(actor, case_id, len(events))
    return {
        "exported_at": exported_at,
        "exported_by": actor.account_id,
        "case": case_detail(case),
        "metrics": {"case_id": case_id, **asdict(compute_metrics(facts, exported_at, None))},
        "events": events,
    }
