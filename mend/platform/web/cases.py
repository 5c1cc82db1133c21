"""The case page, and the forms that record each event of a case through its typed command.

A form posts to ``/cases/<id>/record/<Command>``: the body is loaded with that route's API
schema, the command is built and run by ``Casework.record`` as the API runs it, and the
browser is sent back to the case page, which shows what was recorded. A refused form is the
case page again with the values kept and each message beside its field.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import abort, flash, redirect, request, url_for

from mend.domain import vocabulary as v
from mend.domain.authorization import Actor
from mend.domain.errors import InvalidValue
from mend.platform import erasing, schemas as s
from mend.platform.auth import mend
from mend.platform.forms import form_errors, load_form
from mend.platform.web import charts, practice_view, words
from mend.platform.web.command_forms import CASE_FORMS, ITEM_FORMS, CommandForm
from mend.platform.web.pages import (
    REFUSALS,
    actor,
    flash_invitation,
    pages_blueprint,
    refusal,
    render,
    settle,
    staff_only,
    time_zone,
)

bp = pages_blueprint("case_pages", __name__)

TIMELINE_PAGE = 50
#: The invitation form's name, for its messages on a refused post.
INVITE = "InviteClient"
#: Inputs that send one value per ticked box.
LIST_INPUTS = {"to_ids", "scores"}


def offered(form: CommandForm, kind: str, status: str) -> bool:
    """Forms that fit the case as it is: reopening only when closed, the rest only when
    open; the workplace program's forms on workplace cases; rituals where any fit."""
    name = form.command.__name__
    if status == "erased":
        return False
    if status != "open":
        return name == "ReopenCase"
    if name == "ReopenCase":
        return False
    if name in ("CompleteProgramStep", "AssignStepOwner", "RecordTrustPulse", "OpenPulse"):
        return kind == "workplace"
    if name == "PracticeRitual":
        return bool(v.RITUALS_BY_KIND[kind])
    return True


@bp.route("/cases/new", methods=["GET", "POST"])
@staff_only
def open_case():
    """Open a case: its kind, title, approach, cadence and the breach it begins with."""
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            body = load_form(s.CaseOpenSchema(), request.form, time_zone())
            saved = mend().casework.open_case(
                actor(), kind=body["kind"], title=body["title"], approach=body["approach"],
                breach_category=body["breach"]["category"],
                breach_summary=body["breach"]["summary"],
                cadence_days=body["checkin_cadence_days"], occurred_at=body["occurred_at"])
        except ma.ValidationError as error:
            errors = form_errors(error)
        except InvalidValue as error:
            errors = {error.field: [error.message]}
        else:
            settle(saved.notification_id, saved.originator_id)
            flash("The case is open. Add its participants below.")
            return redirect(url_for("case_pages.case_page", case_id=saved.originator_id))
    return render("web/open_case.html", 422 if errors else 200, values=values, errors=errors,
                  kinds=_words(v.CASE_KINDS), approaches=_words(v.APPROACHES),
                  categories=_words(v.BREACH_CATEGORIES), cadence=v.DEFAULT_CADENCE_DAYS,
                  max_cadence=v.MAX_CADENCE_DAYS,
                  now_input=words.local(datetime.now(timezone.utc), time_zone(), "input"))


def _words(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(code, words.word(code)) for code in codes]


@bp.route("/cases/<uuid:case_id>")
@staff_only
def case_page(case_id: UUID):
    return _case_page(case_id)


def _case_page(case_id: UUID, status: int = 200, failed: str | None = None,
               values: dict[str, Any] | None = None,
               errors: dict[str, list[str]] | None = None) -> Any:
    me, reader, tz = actor(), mend().reader, time_zone()
    try:
        query = load_form(s.TimelineQuerySchema(), request.args, tz)
        query_errors: dict[str, list[str]] = {}
    except ma.ValidationError as error:
        query, query_errors = s.TimelineQuerySchema().load({}), form_errors(error)
    detail = reader.case(me, case_id)
    moment = {"as_of": query["as_of"], "known_at": query["known_at"]}
    try:
        figures, weeks = reader.overview(me, case_id, **moment)
    except InvalidValue as error:
        query_errors[error.field] = [error.message]
        moment = {"as_of": None, "known_at": None}
        figures, weeks = reader.overview(me, case_id)
    figures = figures.metrics
    # The page shows the latest first, unless asked for the order things happened in.
    page = reader.timeline(me, case_id, types=query["type"], after=query["after"],
                           limit=TIMELINE_PAGE, visibility=query["visibility"],
                           person=query["person"],
                           newest_first=request.args.get("order") != "oldest", **moment)
    standing = reader.standing(me, case_id, **moment)
    program = reader.progress(me, case_id, **moment) if detail.kind == "workplace" else None
    rows = tuple(weeks)[-26:]  # half a year of weeks keeps the chart legible
    chart = charts.weekly_chart(rows, figures.baseline, figures.significant_change_on)
    people = [(str(p.account_id), p.name or "Unnamed") for p in detail.participants]
    forms = [form for form in CASE_FORMS.values()
             if form.command.allowed(me) and offered(form, detail.kind, detail.status)]
    members = _members(me, detail) if me.is_staff else {"clients": [], "staff": [],
                                                         "practitioners": []}
    now = datetime.now(timezone.utc)
    args = {k: request.args.getlist(k) for k in request.args if k != "after"}
    return render(
        "web/case.html", status, case=detail, figures=figures, weeks=rows, chart=chart,
        timeline=page, people=people, forms=forms,
        choices={form.command.__name__: _choices(form, people, members) for form in forms},
        failed=failed,
        values=values or {}, errors=errors or {}, query=query, query_errors=query_errors,
        now_input=words.local(now, tz, "input"), args=args, stages=v.STAGES,
        stage_index=v.STAGES.index(detail.stage), event_types=_event_types(),
        visibilities=[(code, words.VISIBILITY_WORDS[code]) for code in v.VISIBILITIES],
        due=words.due(detail.next_checkin_due, now) if detail.next_checkin_due else None,
        reasons=[words.risk_reason(r) for r in figures.risk_reasons],
        standing=standing, readiness_items=v.READINESS_ITEMS, program=program,
        readiness_lines=practice_view.readiness_lines(
            standing, {str(p.account_id) for p in detail.participants}, tz),
        agreement_rows=practice_view.agreement_rows(standing, now, tz),
        program_steps=v.PROGRAM_STEPS,
        overdue=detail.next_checkin_due is not None and detail.next_checkin_due <= now,
        item_forms={name: form for name, form in ITEM_FORMS.items()
                    if form.command.allowed(me) and detail.status == "open"},
        text_max=v.TEXT_MAX,
        pulse_rows=_pulse_rows(me, detail) if detail.kind == "workplace" else [],
        records=erasing.records_of(me, case_id), is_owner=me.role == "owner",
        hold_reasons=list(v.HOLD_REASONS.items()),
    )


def _pulse_rows(me: Actor, detail: Any) -> list[dict[str, Any]]:
    """Each pulse in words, with the one-time links of those asked who have not answered."""
    from mend.platform.web.pulses import link_for, pulse_lines

    names = {str(p.account_id): p.name or "Unnamed" for p in detail.participants}
    rows = []
    for line in pulse_lines(me, detail.id):
        waiting = [] if line.view.closed else [
            person for person in line.view.audience_ids
            if person not in line.view.answered_ids]
        rows.append({"line": line, "links": [
            (names.get(person, "Someone no longer on the case"),
             link_for(detail.id, line.view.pulse_id, UUID(person))) for person in waiting]})
    return rows


def _choices(form: CommandForm, people: list[tuple[str, str]],
             members: dict[str, list[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
    """The people a form's person inputs offer: members to add or assign, else the case's."""
    offer = {"AddParticipant": members["clients"], "AssignPractitioner": members["staff"],
             # A step's owner is anyone on the case: its participants and practitioners.
             "AssignStepOwner": people + members["practitioners"],
             "to_practitioner_id": members["staff"],
             "from_practitioner_id": members["practitioners"]}
    return {i.name: offer.get(i.name, offer.get(form.command.__name__, people))
            for i in form.inputs if i.kind in ("person", "people")}


def _members(me: Actor, detail: Any) -> dict[str, list[tuple[str, str]]]:
    """Who a form may name that is not yet on the case: clients, and staff to assign."""
    on_case = {str(p.account_id) for p in detail.participants}
    on_case |= {str(p) for p in detail.practitioners}
    members = [m for m in mend().membership.members(me)
               if m.status == "active" and str(m.account_id) not in on_case]
    return {
        "clients": [(str(m.account_id), m.name) for m in members if m.role == "client"],
        "staff": [(str(m.account_id), m.name) for m in members
                  if m.role in ("practitioner", "supervisor", "owner")],
        "practitioners": [(p.id, p.name or "Unnamed") for p in detail.practitioner_people],
    }


def _event_types() -> list[tuple[str, str]]:
    from mend.projections.event_records import CASE_EVENT_TYPES

    return [(t, words.word(t)) for t in CASE_EVENT_TYPES]


@bp.route("/cases/<uuid:case_id>/record/<string:name>", methods=["POST"])
@staff_only
def record(case_id: UUID, name: str):
    form = CASE_FORMS.get(name)
    if form is None:
        abort(404)
    return _record(case_id, form, name, {})


@bp.route("/cases/<uuid:case_id>/record/<string:name>/<uuid:item_id>", methods=["POST"])
@staff_only
def record_about(case_id: UUID, name: str, item_id: UUID):
    """A form about one thing of the case: a boundary, a red flag, a person on it."""
    form = ITEM_FORMS.get(name)
    if form is None or form.item_field is None:
        abort(404)
    return _record(case_id, form, f"{name}:{item_id}", {form.item_field: item_id})


def _record(case_id: UUID, form: CommandForm, failed: str, ids: dict[str, UUID]) -> Any:
    me, name = actor(), failed
    # What was typed, to show again beside the messages; lists stay lists.
    values = {k: vs if len(vs := request.form.getlist(k)) > 1 or k in LIST_INPUTS else vs[0]
              for k in request.form if k != "csrf_token"}
    try:
        body = load_form(form.route.schema(), request.form, time_zone())
        saved = mend().casework.record(me, case_id, form.command(**ids, **body))
    except REFUSALS as error:
        status, errors = refusal(error)
        return _case_page(case_id, status, name, values, errors)
    settle(saved.notification_id, case_id)
    flash(f"{form.title.split(' (')[0]}: recorded.")
    return redirect(url_for("case_pages.case_page", case_id=case_id) + "#timeline")


@bp.route("/cases/<uuid:case_id>/remind", methods=["POST"])
@staff_only
def remind(case_id: UUID):
    """Remind the participants of an overdue check-in, as the API's reminders route does.

    The reminder is recorded here, in the request; the messages it causes go through the
    outbox, so the page answers whether or not Redis is there."""
    from mend.workers.reminders import send_checkin_reminder

    mend().casework.authorize_staff_action(actor(), case_id, "send reminders")
    outcome = send_checkin_reminder(str(case_id))
    settle(mend().store.recorder.max_notification_id() or 0, case_id)
    flash(f"Reminder: {outcome}")
    return redirect(url_for("case_pages.case_page", case_id=case_id) + "#timeline")


@bp.route("/cases/<uuid:case_id>/invite", methods=["POST"])
@staff_only
def invite_client(case_id: UUID):
    """Invite a new client by email straight into this case; the link is shown to copy."""
    form = {k: request.form.get(k, "") for k in ("email", "name", "relation")}
    body = {"role": "client", "case_id": str(case_id), **{k: v for k, v in form.items() if v}}
    try:
        loaded = s.InviteSchema().load(body)
        saved = mend().membership.invite(actor(), **loaded)
    except REFUSALS as error:
        status, errors = refusal(error)
        return _case_page(case_id, status, INVITE, form, errors)
    settle(saved.notification_id, case_id)
    flash_invitation(loaded["name"], saved.result)
    return redirect(url_for("case_pages.case_page", case_id=case_id))
