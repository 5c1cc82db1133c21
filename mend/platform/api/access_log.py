"""GET /api/v1/access-log: who read what, for the practice's owners. The route joins the
insights blueprint, beside the audit feed, as this module is imported."""

from __future__ import annotations

from typing import Any

from mend.platform import schemas as s
from mend.platform.access_words import sentence
from mend.platform.api.insights import bp
from mend.platform.auth import current_actor, mend
from mend.workers.access_report import AccessLine, AccessReport


def entry(line: AccessLine) -> dict[str, Any]:
    return {
        "seq": line.seq, "at": line.at, "actor": {"id": line.actor_id, "name": line.actor_name},
        "role": line.actor_role,
        "case": {"id": line.case_id, "title": line.case_title} if line.case_id else None,
        "subject": ({"id": line.subject_id, "name": line.subject_name or ""}
                    if line.subject_id else None),
        "kind": line.kind, "action": line.action, "outcome": line.outcome,
        "address": line.address, "request_id": line.request_id, "summary": sentence(line),
    }


@bp.route("/access-log", methods=["GET"])
@bp.arguments(s.AccessLogQuerySchema, location="query")
@bp.response(200, s.AccessLogSchema)
def access_log(query):
    """Who read what (owners): every read of a case record and every change of a privilege,
    by person, case, time, kind, action and outcome, sorted and paged.

    Names and titles are as they are now; the log itself holds ids only. Reading this is
    itself a row of the log.
    """
    lines, total = AccessReport(mend().access_log).for_owner(current_actor(), query)
    shown = query.offset + len(lines)
    return {"entries": [entry(line) for line in lines], "total": total,
            "next": shown if shown < total else None}
