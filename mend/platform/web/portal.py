"""The client portal: a participant's own case, phone first.

A client lands on their case after signing in (or picks one when they have several). The
page puts an overdue check-in first, then their progress in words and the weekly chart, a
quick check-in, their journal and the shared timeline. Everything on it comes from the
same ``Reader`` the workspace and the API use, called with the client's own ``Actor``, so
what the reader masks for a client (risk, red flags, staff notes, other people's private
entries) never reaches these templates at all.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import Response, flash, redirect, request, url_for

from mend.domain import commands as cmd
from mend.domain import vocabulary as v
from mend.domain.authorization import Actor
from mend.domain.errors import NotFound
from mend.domain.measures import offered_on
from mend.platform import schemas as s
from mend.platform.auth import mend
from mend.platform.forms import load_form
from mend.platform.my_data import client_data
from mend.platform.web import charts, practice_view, words
from mend.platform.web.pages import (
    REFUSALS,
    actor,
    pages_blueprint,
    refusal,
    render,
    settle,
    signed_in,
    staff_only,
    time_zone,
)

bp = pages_blueprint("portal", __name__)

from mend.platform.web.pulses import pulse_lines  # noqa: E402  (it adds its routes to bp)

TIMELINE_PAGE = 30
RATINGS = tuple(range(11))
#: The check-in's three 0–10 questions, as the client reads them.
QUESTIONS = (
    ("trust", "How much trust do you feel between you today?"),
    ("emotional_safety", "How safe do you feel to say what you feel?"),
    ("communication_ease", "How easy is it to talk with each other?"),
)


@bp.route("/my-cases")
@signed_in
def my_cases():
    """A client's cases: straight to the one when there is one, else a choice."""
    me = actor()
    if me.is_staff:
        return redirect(url_for("caseload.dashboard"))
    cases = mend().reader.cases(me, limit=200).cases
    open_cases = [c for c in cases if c.status == "open"]
    if len(open_cases) == 1 and "all" not in request.args:
        return redirect(url_for("portal.case", case_id=open_cases[0].id))
    return render("web/portal/cases.html", cases=cases)


def _client_only(case_id: UUID) -> Any:
    """Staff have the workspace's page of the case; this one is the participant's own."""
    if actor().is_staff:
        return redirect(url_for("case_pages.case_page", case_id=case_id))
    return None


@bp.route("/portal/cases/<uuid:case_id>")
@signed_in
def case(case_id: UUID):
    return _client_only(case_id) or _case(case_id)


@bp.route("/cases/<uuid:case_id>/view-as/<uuid:person_id>")
@staff_only
def view_as(case_id: UUID, person_id: UUID):
    """The portal page as one participant sees it, for the staff on the case: read with that
    participant's identity, so it holds what theirs holds and nothing more, except their
    private journal entries, which stay theirs alone; and with nothing to record."""
    me = actor()
    detail = mend().reader.case(me, case_id)  # staff not on the case: not found
    person = next((p for p in detail.participants if p.account_id == person_id), None)
    if person is None:
        raise NotFound(f"No participant {person_id} on this case.")
    return _case(case_id, who=Actor(person_id, me.tenant_id, "client"),
                 viewing_as=person.name or "this participant")


def _case(case_id: UUID, status: int = 200, failed: str | None = None,
          values: dict[str, Any] | None = None,
          errors: dict[str, list[str]] | None = None, who: Actor | None = None,
          viewing_as: str | None = None) -> Any:
    me, reader = who or actor(), mend().reader
    detail = reader.case(me, case_id)
    figures, weeks = reader.overview(me, case_id)
    metrics = figures.metrics
    after = request.args.get("after") or None
    # A participant's private entries are theirs alone: not even "view as" shows them.
    timeline = reader.timeline(me, case_id, after=after, limit=TIMELINE_PAGE, newest_first=True,
                               visibility="shared" if viewing_as else None)
    rows = tuple(weeks)[-26:]
    now = datetime.now(timezone.utc)
    due_at = detail.next_checkin_due
    return render(
        "web/portal/case.html", status, case=detail, figures=metrics, weeks=rows,
        chart=charts.weekly_chart(rows, metrics.baseline, metrics.significant_change_on),
        timeline=timeline, progress=words.progress(metrics.trust_score, metrics.baseline),
        due=words.due(due_at, now) if due_at else None,
        overdue=due_at is not None and due_at <= now,
        failed=failed, values=values or {}, errors=errors or {},
        questions=QUESTIONS, ratings=RATINGS, max_conflicts=v.MAX_CONFLICTS,
        practitioners=[p.name for p in detail.practitioner_people if p.name],
        viewing_as=viewing_as,
        questionnaires=offered_on(detail.kind) if detail.status == "open" else [],
        pulses=pulse_lines(me, case_id) if detail.kind == "workplace" else [],
        practice=practice_view.portal_practice(
            reader.standing(me, case_id), detail.kind, str(me.account_id),
            [str(p.account_id) for p in detail.participants], now, time_zone()),
    )


@bp.route("/portal/cases/<uuid:case_id>/check-in", methods=["POST"])
@signed_in
def check_in(case_id: UUID):
    """A check-in for oneself (a client never checks in for someone else)."""
    return _client_only(case_id) or _record(
        case_id, "check-in", s.CheckInSchema(),
        lambda body: cmd.RecordCheckIn(**{**body, "participant_id": actor().account_id}),
        "Your check-in is saved.")


@bp.route("/portal/cases/<uuid:case_id>/journal", methods=["POST"])
@signed_in
def journal(case_id: UUID):
    """A journal entry: private unless the writer chooses to share it."""
    return _client_only(case_id) or _record(
        case_id, "journal", s.JournalSchema(), lambda body: cmd.WriteJournal(**body),
        "Your journal entry is saved.")


def _record(case_id: UUID, name: str, schema: ma.Schema, command: Any, done: str) -> Any:
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        body = load_form(schema, request.form, time_zone())
        saved = mend().casework.record(actor(), case_id, command(body))
    except REFUSALS as error:
        status, errors = refusal(error)
        return _case(case_id, status, name, values, errors)
    settle(saved.notification_id, case_id)
    flash(done)
    return redirect(url_for("portal.case", case_id=case_id))


@bp.route("/portal/cases/<uuid:case_id>/my-data")
@signed_in
def my_data(case_id: UUID):
    """What the download holds, in words, and the download itself."""
    if redirect_to := _client_only(case_id):
        return redirect_to
    detail = mend().reader.case(actor(), case_id)
    return render("web/portal/my_data.html", case=detail)


@bp.route("/portal/cases/<uuid:case_id>/my-data.json")
@signed_in
def my_data_download(case_id: UUID):
    """Everything this person may read of the case, as JSON: the case, its figures as
    they see them, and every timeline entry they may read (their own private ones too)."""
    if redirect_to := _client_only(case_id):
        return redirect_to
    return Response(client_data(mend().reader, actor(), case_id), mimetype="application/json",
                    headers={"Content-Disposition":
                             f'attachment; filename="mend-{case_id}.json"'})
