"""The caseload dashboard: the cases that need attention first, with filters and paging.

Practitioners see their own open cases; supervisors and owners see the tenant's, or one
practitioner's. A client who opens the workspace goes to their portal.
"""

from __future__ import annotations

from datetime import datetime, timezone

import marshmallow as ma
from flask import request

from mend.domain import vocabulary as v
from mend.platform import schemas as s
from mend.platform.auth import mend
from mend.platform.forms import form_errors, load_form
from mend.platform.web import words
from mend.platform.web.pages import pages_blueprint, actor, render, staff_only, time_zone

bp = pages_blueprint("caseload", __name__)

PAGE_SIZE = 25
FILTERS = ("kind", "stage", "risk", "status", "title")


@bp.route("/")
@staff_only
def dashboard():
    me = actor()
    try:
        query = load_form(s.CaseloadQuerySchema(), request.args, time_zone())
        errors = {}
    except ma.ValidationError as error:
        query, errors = s.CaseloadQuerySchema().load({}), form_errors(error)
    reader = mend().reader
    overseer = me.role in ("owner", "supervisor")
    # Practitioners start on their own cases; overseers on everyone's unless they pick one.
    practitioner = query["practitioner"] if overseer else me.account_id
    filters = {k: query[k] for k in FILTERS}
    page = reader.caseload(me, practitioner=practitioner, filters=filters,
                           limit=PAGE_SIZE, after=query["after"])
    counts = reader.caseload_counts(me, practitioner=practitioner)
    staff = [m for m in mend().membership.members(me)
             if m.role != "client" and m.status == "active"] if overseer else []
    now = datetime.now(timezone.utc)
    rows = [{
        "row": row,
        "due": words.due(row.next_checkin_due, now) if row.status == "open" else "closed",
        "overdue": row.next_checkin_due is not None and row.next_checkin_due < now,
        "active": words.ago(row.last_activity_at, now),
        "reasons": [words.risk_reason(reason) for reason in row.risk_reasons],
    } for row in page.cases]
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render("web/caseload.html", rows=rows, counts=counts, query=query, errors=errors,
                  staff=staff, overseer=overseer, next_after=page.next, args=args,
                  choices=CHOICES, offset=int(query["after"] or 0))


CHOICES = {
    "kind": v.CASE_KINDS,
    "stage": v.STAGES,
    "risk": ("high", "medium", "low"),
    "status": ("open", "closed"),
}
