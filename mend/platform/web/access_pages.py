"""The access log's pages: the owners' report of who read what (it joins the admin
blueprint), and a client's page of who on staff has opened their case (the portal's).

Both read through ``AccessReport``, which decides who may see what; the filters are the API's
query schema, sent as a GET form, so the report works without script and every view of it
has an address to bookmark or share among owners.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import request, url_for

from mend.platform import schemas as s
from mend.platform.access_words import (
    ACTION_WORDS,
    KIND_WORDS,
    OUTCOME_WORDS,
    portal_sentence,
    sentence,
)
from mend.platform.auth import mend
from mend.platform.forms import form_errors, load_form
from mend.platform.web.admin import bp as admin_bp
from mend.platform.web.pages import actor, render, signed_in, staff_only, time_zone
from mend.platform.web.portal import _client_only
from mend.platform.web.portal import bp as portal_bp
from mend.workers.access_report import SORTS, AccessReport

PAGE = 50
FILTERS = ("person", "case", "kind", "action", "outcome", "since", "until", "sort", "order")
SORT_WORDS = {"at": "When", "person": "Who", "case": "Case", "action": "Action",
              "kind": "What"}
#: How many of the practice's cases the case filter lists (each row's case filters too).
CASES_LISTED = 200


@admin_bp.route("/admin/access")
@staff_only
def access():
    """Who read what, filtered by person, case, kind, action, outcome and days, sorted by
    any column, fifty rows a page (owners)."""
    me = actor()
    values = {k: request.args.get(k, "") for k in FILTERS}
    try:
        query = load_form(s.AccessLogQuerySchema(), request.args, time_zone())
        errors: dict[str, list[str]] = {}
    except ma.ValidationError as error:
        query, errors = s.AccessLogQuerySchema().load({}), form_errors(error)
    if query.until is not None and len(values["until"]) == len("2026-12-02"):
        query = replace(query, until=query.until + timedelta(days=1))  # through that day
    query = replace(query, limit=PAGE)
    lines, total = AccessReport(mend().access_log).for_owner(me, query)
    args = {k: v for k, v in values.items() if v}
    return render(
        "web/access.html", 422 if errors else 200, rows=[(line, sentence(line)) for line in lines],
        total=total, query=query, values=values, errors=errors, args=args,
        people=sorted(mend().membership.members(me), key=lambda m: m.name.lower()),
        cases=_cases(me, query.case), columns=_columns(query, args),
        kinds=KIND_WORDS, actions=ACTION_WORDS, outcomes=OUTCOME_WORDS, sorts=SORT_WORDS,
        pages=_pages(query, total, args))


def _cases(me: Any, chosen: UUID | None) -> list[tuple[str, str]]:
    cases = mend().reader.cases(me, limit=CASES_LISTED).cases
    listed = sorted(((c.id, c.title) for c in cases), key=lambda c: c[1].lower())
    if chosen is not None and str(chosen) not in {c for c, _ in listed}:
        listed.insert(0, (str(chosen), "The case chosen"))
    return listed


def _columns(query: Any, args: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each sortable column's link (sorting by it, or turning its order round) and state."""
    columns = {}
    for name in SORTS:
        current = query.sort == name
        descending = not query.descending if current else name == "at"
        link = {**args, "sort": name, "order": "desc" if descending else "asc"}
        columns[name] = {
            "url": url_for("admin.access", **link),
            "state": ("descending" if query.descending else "ascending") if current else "",
        }
    return columns


def _pages(query: Any, total: int, args: dict[str, str]) -> dict[str, Any]:
    earlier = max(query.offset - PAGE, 0) if query.offset else None
    later = query.offset + PAGE if query.offset + PAGE < total else None
    return {
        "first": query.offset + 1 if total else 0, "last": min(query.offset + PAGE, total),
        "previous": url_for("admin.access", **args, offset=earlier)
        if earlier is not None else None,
        "next": url_for("admin.access", **args, offset=later) if later is not None else None,
    }


@portal_bp.route("/portal/cases/<uuid:case_id>/who-opened")
@signed_in
def who_opened(case_id: UUID):
    """The staff who opened this case, what they looked at and when: never a client's read,
    so neither the client's own nor another participant's."""
    if redirect_to := _client_only(case_id):
        return redirect_to
    me = actor()
    detail = mend().reader.case(me, case_id)  # not found unless the case is theirs
    sent = request.args.get("offset", "")
    offset = int(sent) if sent.isdigit() and len(sent) < 7 else 0
    lines = AccessReport(mend().access_log).staff_reads(me, case_id, limit=PAGE + 1,
                                                        offset=offset)
    return render("web/portal/who_opened.html", case=detail,
                  lines=[(line, portal_sentence(line)) for line in lines[:PAGE]],
                  earlier=url_for("portal.who_opened", case_id=case_id, offset=offset + PAGE)
                  if len(lines) > PAGE else None)
