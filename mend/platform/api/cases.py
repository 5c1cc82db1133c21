"""Routes for cases: opening, reading, the timeline, and one POST route per recorded event."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_smorest import Blueprint

from mend.domain import commands as c
from mend.domain.idempotency import idempotent
from mend.domain.store import Saved, event_id
from mend.platform import schemas as s
from mend.platform.auth import current_actor, mend
from mend.projections.casebook_projection import snake_case
from mend.workers.reminders import send_checkin_reminder

log = logging.getLogger(__name__)

bp = Blueprint("cases", __name__, url_prefix="/api/v1", description="Cases and their events")

#: How long a command waits for the views to show its event before answering anyway.
READ_YOUR_WRITES_TIMEOUT = 2.0


def recorded(saved: Saved, created: str | None = None) -> dict[str, Any]:
    """The answer to a command; it returns only once the views can show what it recorded."""
    try:
        mend().wait_for_projections(saved.notification_id, READ_YOUR_WRITES_TIMEOUT,
                                    case_id=saved.originator_id)
    except TimeoutError:
        log.warning("projections lag: answering before they show event %s", saved.event_id)
    body = {
        "id": saved.event_id, "type": snake_case(saved.type), "occurred_at": saved.occurred_at,
        "recorded_at": saved.recorded_at, "case_id": saved.originator_id,
    }
    if created:
        body[created] = saved.result
    return body


@contextmanager
def remembered_by_key() -> Iterator[None]:
    """Honour an Idempotency-Key: the same request again gets the first answer, once saved."""
    actor = current_actor()
    digest = hashlib.sha256(
        f"{request.method} {request.path}\n".encode() + request.get_data()
    ).hexdigest()
    with idempotent(actor.account_id, actor.tenant_id, request.headers.get("Idempotency-Key"),
                    digest):
        yield


IDEMPOTENCY_KEY = {
    "in": "header", "name": "Idempotency-Key", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "Send the same key again to get the first answer instead of a second "
                   "record; safe to retry with after a timeout or a 503.",
}


@bp.route("/cases", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY_KEY])
@bp.arguments(s.CaseOpenSchema)
@bp.response(201, s.RecordedSchema)
def open_case(body):
    """Open a case (staff). A practitioner who opens a case is assigned to it."""
    with remembered_by_key():
        saved = mend().casework.open_case(
            current_actor(), kind=body["kind"], title=body["title"], approach=body["approach"],
            breach_category=body["breach"]["category"],
            breach_summary=body["breach"]["summary"],
            cadence_days=body["checkin_cadence_days"], occurred_at=body["occurred_at"],
        )
    # The opening fact is the case's first event; the breach disclosed with it comes second.
    answer = recorded(saved)
    answer.update(id=event_id(saved.originator_id, 1), type="case_opened")
    return answer


@bp.route("/cases", methods=["GET"])
@bp.arguments(s.ListQuerySchema, location="query")
@bp.response(200, s.CaseListSchema)
def list_cases(query):
    """The cases the caller may see: all of the tenant's for supervisors and owners."""
    return mend().reader.cases(current_actor(), limit=query["limit"], after=query["after"])


@bp.route("/cases/<uuid:case_id>", methods=["GET"])
@bp.response(200, s.CaseDetailSchema)
def get_case(case_id):
    """One case; 404 when it is another tenant's or the caller is not on it."""
    return mend().reader.case(current_actor(), case_id)


@bp.route("/cases/<uuid:case_id>/timeline", methods=["GET"])
@bp.arguments(s.TimelineQuerySchema, location="query")
@bp.response(200, s.TimelineSchema)
def timeline(query, case_id):
    """The case's events in occurred_at order, as the caller may read them.

    Clients see shared events and their own private journal entries; staff notes and red
    flags are for staff only. `as_of` filters on when things happened, `known_at` on when the
    record learned of them; `after` takes the `next` cursor of the previous page.
    """
    return mend().reader.timeline(
        current_actor(), case_id, as_of=query["as_of"], known_at=query["known_at"],
        types=query["type"], after=query["after"], limit=query["limit"],
        visibility=query["visibility"], person=query["person"],
        newest_first=query["order"] == "newest",
    )


@bp.route("/cases/<uuid:case_id>/reminders", methods=["POST"])
@bp.response(202, s.JobSchema)
def send_reminder(case_id):
    """Remind the participants of an overdue check-in (staff).

    The reminder is recorded only when a check-in is due and none was sent for it yet. Each
    participant's message then goes through the outbox at a time outside their quiet hours,
    unless they paused reminders; this answer never waits on the queue.
    """
    mend().casework.authorize_staff_action(current_actor(), case_id, "send reminders")
    outcome = send_checkin_reminder(str(case_id))
    try:
        mend().wait_for_projections(mend().store.recorder.max_notification_id(),
                                    READ_YOUR_WRITES_TIMEOUT, case_id=case_id)
    except TimeoutError:
        log.warning("projections lag behind the reminder")
    return {"job_id": None, "status": "done", "result": outcome}


@bp.route("/cases/<uuid:case_id>/pulses/<uuid:pulse_id>/answers", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY_KEY])
@bp.arguments(s.PulseAnswerSchema)
@bp.response(201, s.RecordedSchema)
def answer_pulse(body, case_id, pulse_id):
    """Answer a pulse sent to you, once (0–10). The score is kept apart from your name."""
    with remembered_by_key():
        saved = mend().casework.answer_pulse(current_actor(), case_id, pulse_id, body["score"])
    return recorded(saved)


@bp.route("/cases/<uuid:case_id>/questionnaires", methods=["POST"])
@bp.doc(parameters=[IDEMPOTENCY_KEY])
@bp.arguments(s.QuestionnaireAnswersSchema)
@bp.response(201, s.RecordedSchema)
def answer_questionnaire(body, case_id):
    """Answer a validated questionnaire (PHQ-9, GAD-7, CSI-16, CSI-4), scored by its current
    version. The answers are the person's own: staff read them, a partner never does. A
    safety item answered (PHQ-9 item 9 above 0) alerts every practitioner on the case."""
    with remembered_by_key():
        saved = mend().casework.record(current_actor(), case_id, c.AnswerQuestionnaire(**body))
    return recorded(saved)


@dataclass(frozen=True)
class Route:
    """One event-recording route: its path under the case, its body schema, the command it
    builds (from the body and the ids in the path), and its answer's schema."""

    path: str
    schema: type[s.Schema]
    command: type[c.CaseCommand]
    doc: str
    answer: type[s.Schema] = s.RecordedSchema

    @property
    def needs_body(self) -> bool:
        """A body with nothing required may be left out (retiring a boundary, reopening)."""
        return any(field.required for field in self.schema().fields.values())

    @property
    def created(self) -> str | None:
        """The answer's field for what the command created (``boundary_id``), if any."""
        extra = set(self.answer._declared_fields) - set(s.RecordedSchema._declared_fields)
        return extra.pop() if extra else None


ROUTES = (
    Route("participants", s.ParticipantSchema, c.AddParticipant,
          "Add a member of the tenant (usually a client) as a participant."),
    Route("participants/<uuid:account_id>/remove", s.WhenSchema, c.RemoveParticipant,
          "Remove a participant from the case."),
    Route("practitioners", s.PractitionerSchema, c.AssignPractitioner,
          "Assign a practitioner (supervisors and owners)."),
    Route("practitioners/<uuid:account_id>/unassign", s.WhenSchema, c.UnassignPractitioner,
          "Unassign a practitioner (supervisors and owners)."),
    Route("practitioners/reassign", s.ReassignSchema, c.ReassignCase,
          "Hand the case from one practitioner to another in one step (supervisors and "
          "owners): the new one is assigned and the old one unassigned together."),
    Route("breaches", s.BreachDisclosureSchema, c.DiscloseBreach,
          "Record a further breach disclosed during the work."),
    Route("check-ins", s.CheckInSchema, c.RecordCheckIn,
          "Record a check-in; a client records only their own."),
    Route("setbacks", s.SetbackSchema, c.RecordSetback, "Record a setback (severity 1–3)."),
    Route("apologies", s.ApologySchema, c.OfferApology, "Record an apology offered."),
    Route("boundaries", s.TextSchema, c.SetBoundary, "Set a boundary.",
          s.BoundaryRecordedSchema),
    Route("boundaries/<uuid:boundary_id>/revise", s.TextSchema, c.ReviseBoundary,
          "Revise an active boundary."),
    Route("boundaries/<uuid:boundary_id>/retire", s.NoteSchema, c.RetireBoundary,
          "Retire an active boundary."),
    Route("boundaries/<uuid:boundary_id>/cross", s.CrossingSchema, c.RecordBoundaryCrossed,
          "Record that an active boundary was crossed."),
    Route("red-flags", s.RedFlagSchema, c.RaiseRedFlag, "Raise a red flag (staff).",
          s.FlagRecordedSchema),
    Route("red-flags/<uuid:flag_id>/resolve", s.NoteSchema, c.ResolveRedFlag,
          "Resolve an open red flag."),
    Route("notes", s.TextSchema, c.NoteSession, "Write a staff note (visible to staff only)."),
    Route("journal", s.JournalSchema, c.WriteJournal,
          "Write a journal entry, private to its author unless shared."),
    Route("rituals", s.RitualSchema, c.PracticeRitual,
          "Record a ritual practiced; it must fit the case's kind. Anyone on the case may."),
    Route("agreements", s.TextSchema, c.MakeAgreement, "Record a new agreement.",
          s.AgreementRecordedSchema),
    Route("agreements/<uuid:agreement_id>/keep", s.NoteSchema, c.KeepAgreement,
          "Record that an agreement of the case was kept; anyone on the case may."),
    Route("readiness", s.ReadinessSchema, c.AssessReadiness,
          "Record a readiness checklist: staff assess it, a participant answers it for "
          "themselves."),
    Route("milestones", s.MilestoneSchema, c.ReachMilestone, "Record a milestone reached."),
    Route("stage", s.StageSchema, c.AdvanceStage,
          "Advance the case to a later stage; skipping a stage needs a reason."),
    Route("approach", s.ApproachSchema, c.ChangeApproach, "Change the recovery approach."),
    Route("program-steps", s.ProgramStepSchema, c.CompleteProgramStep,
          "Complete a workplace program step (each once); out of order needs a reason."),
    Route("step-owners", s.StepOwnerSchema, c.AssignStepOwner,
          "Assign who owns a workplace program step: a person on the case. Assigning "
          "again replaces the owner."),
    Route("pulses/open", s.PulseOpenSchema, c.OpenPulse,
          "Send an anonymous trust pulse to the case's participants (workplace, at least 5 "
          "of them). Each answers once; results show only after it closes with 5 answers.",
          s.PulseOpenedSchema),
    Route("pulses/<uuid:pulse_id>/close", s.WhenSchema, c.ClosePulse,
          "Close a pulse before its closing time (staff); its results show from then on, "
          "if at least 5 people answered."),
    Route("pulses", s.PulseSchema, c.RecordTrustPulse,
          "Record the tally of a pulse taken on paper (workplace); published from 5 responses."),
    Route("timeline/<uuid:entry_id>/hold-back", s.HoldBackSchema, c.HoldBackEntry,
          "Hold a shared entry back from the portal (staff): until a time, or until it is "
          "released. Its author still sees their own entry."),
    Route("timeline/<uuid:entry_id>/release", s.WhenSchema, c.ReleaseEntry,
          "Show an entry held back in the portal from now on (staff)."),
    Route("close", s.CloseSchema, c.CloseCase, "Close the case with an outcome."),
    Route("reopen", s.ReopenSchema, c.ReopenCase, "Reopen a closed case."),
)

def _register(route: Route) -> None:
    def record(body: dict[str, Any], case_id: Any, **ids: Any) -> dict[str, Any]:
        command = route.command(**ids, **body)
        with remembered_by_key():
            saved = mend().casework.record(current_actor(), case_id, command)
        return recorded(saved, route.created)

    endpoint = snake_case(route.command.__name__)
    record.__name__ = endpoint
    record.__doc__ = route.doc
    view = bp.arguments(route.schema, required=route.needs_body)(record)
    view = bp.doc(parameters=[IDEMPOTENCY_KEY])(bp.response(201, route.answer)(view))
    bp.route(f"/cases/<uuid:case_id>/{route.path}", methods=["POST"], endpoint=endpoint)(view)


for _route in ROUTES:
    _register(_route)
