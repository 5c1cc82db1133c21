"""The export of a case's whole record (owners), for a client's request for their data or a
hand-over to another practice. Every export is recorded and shows in the audit feed."""

from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from mend.platform import schemas as s
from mend.platform.auth import current_actor, mend

bp = Blueprint("exports", __name__, url_prefix="/api/v1", description="Exports")


@bp.route("/cases/<uuid:case_id>/export", methods=["GET"])
@bp.response(200, s.CaseExportSchema)
def export_case(case_id):
    """The case's whole record as the owner may read it: details, figures and every event.

    Private journal entries stay private: they are their author's, not the practice's. The
    export is recorded (who, when, which case, how many events) before it is answered.
    """
    actor = current_actor()
    export = mend().reader.export(actor, case_id)
    mend().casework.record_export(actor, case_id, len(export.events))
    return {
        "exported_at": export.exported_at, "exported_by": export.exported_by,
        "case": export.case, "events": export.events,
        "metrics": {"case_id": case_id, **asdict(export.figures.metrics)},
    }
