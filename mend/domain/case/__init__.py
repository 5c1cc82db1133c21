"""The Case aggregate: one trust-repair case, its events, and the rules every command must keep.

Public methods check the rules and then trigger an event through a private method that only
changes state; replaying stored events runs only those private methods, so a rule added later
never stops an old case from loading.

The rules live with their concept, one module each (boundaries, red flags, the workplace
program …). Every event is declared here, on ``Case`` itself, so that each stored topic stays
``mend.domain.case:Case.<Event>`` whichever module holds its rule, and so that this class body
is the one list of every fact a case can record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from mend.domain import checks, vocabulary as v
from mend.domain.acting import MendAggregate
from mend.domain.case.boundaries import Boundaries
from mend.domain.case.check_ins import CheckIns
from mend.domain.case.course import Course
from mend.domain.case.disclosure import Disclosure
from mend.domain.case.erasure import Erasure
from mend.domain.case.guards import Guards
from mend.domain.case.measures import Measures
from mend.domain.case.notes import Notes
from mend.domain.case.people import People
from mend.domain.case.pulses import Pulses
from mend.domain.case.red_flags import RedFlags
from mend.domain.case.repair import Repair
from mend.domain.case.sharing import Sharing
from mend.domain.case.workplace import Workplace
from mend.domain.errors import InvalidValue


class Case(
    Guards, People, Disclosure, Repair, Boundaries, CheckIns, RedFlags, Notes, Workplace, Course,
    Sharing, Pulses, Measures, Erasure, MendAggregate,
):
    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        *,
        tenant: UUID,
        kind: str,
        title: str,
        approach: str,
        breach_category: str,
        breach_summary: str,
        cadence_days: int = v.DEFAULT_CADENCE_DAYS,
        occurred_at: datetime | None = None,
    ) -> Case:
        now = checks.utcnow()
        opened_at = checks.moment(
            "occurred_at", now if occurred_at is None else occurred_at, now=now, not_before=None
        )
        case = cls(
            tenant=tenant,
            kind=checks.one_of("kind", kind, v.CASE_KINDS),
            title=checks.text("title", title, max_length=v.SHORT_MAX),
            approach=checks.one_of("approach", approach, v.APPROACHES),
            cadence_days=checks.integer_between(
                "checkin_cadence_days", cadence_days, 1, v.MAX_CADENCE_DAYS
            ),
            occurred_at=opened_at,
        )
        try:
            case.disclose_breach(breach_category, breach_summary, occurred_at=opened_at)
        except InvalidValue as error:
            # On opening, the breach arrives as the "breach" object of the request.
            raise InvalidValue(f"breach.{error.field}", error.message) from None
        return case

    @event("CaseOpened")
    def __init__(
        self,
        tenant: UUID,
        kind: str,
        title: str,
        approach: str,
        cadence_days: int,
        occurred_at: datetime,
    ) -> None:
        # The owning tenant is part of the opening fact, so a replay never depends on context.
        self.tenant = tenant
        self.kind = kind
        self.title = title
        self.approach = approach
        self.cadence_days = cadence_days
        self.opened_at = occurred_at
        self.stage = v.STAGES[0]
        self.status = "open"
        self.outcome: str | None = None
        self.breaches: list[dict[str, str]] = []
        # Keys are str(UUID): aggregate state must stay JSON-transcodable for snapshots.
        self.participants: dict[str, str] = {}
        self.practitioners: list[str] = []
        self.boundaries: dict[str, str] = {}  # id -> "active" | "retired"
        self.agreements: list[str] = []  # ids; absent from snapshots taken before it was kept
        self.red_flags: dict[str, dict[str, str]] = {}  # id -> {code, status}
        self.steps_done: list[str] = []
        self.step_owners: dict[str, str] = {}  # program step -> its owner's account id
        self.check_ins = 0
        self.last_check_in_at: datetime | None = None
        self.reminded_for: str | None = None
        self.held_entries: dict[str, datetime | None] = {}
        self.pulses: dict[str, dict[str, Any]] = {}


    # ------------------------------------------------------------------ every fact it records
    # people
    _participant_added = event("ParticipantAdded")(People._participant_added)
    _participant_removed = event("ParticipantRemoved")(People._participant_removed)
    _practitioner_assigned = event("PractitionerAssigned")(People._practitioner_assigned)
    _practitioner_unassigned = event("PractitionerUnassigned")(People._practitioner_unassigned)
    # disclosure
    _breach_disclosed = event("BreachDisclosed")(Disclosure._breach_disclosed)
    _readiness_assessed = event("ReadinessAssessed")(Disclosure._readiness_assessed)
    # repair
    _apology_offered = event("ApologyOffered")(Repair._apology_offered)
    _agreement_made = event("AgreementMade")(Repair._agreement_made)
    AgreementKept = Repair.AgreementKept
    _agreement_kept = event(Repair.AgreementKept)(Repair._agreement_kept)
    _ritual_practiced = event("RitualPracticed")(Repair._ritual_practiced)
    _milestone_reached = event("MilestoneReached")(Repair._milestone_reached)
    # boundaries
    _boundary_set = event("BoundarySet")(Boundaries._boundary_set)
    _boundary_revised = event("BoundaryRevised")(Boundaries._boundary_revised)
    _boundary_retired = event("BoundaryRetired")(Boundaries._boundary_retired)
    _boundary_crossed = event("BoundaryCrossed")(Boundaries._boundary_crossed)
    # check ins
    _check_in_recorded = event("CheckInRecorded")(CheckIns._check_in_recorded)
    _check_in_reminder_sent = event("CheckInReminderSent")(CheckIns._check_in_reminder_sent)
    _setback_recorded = event("SetbackRecorded")(CheckIns._setback_recorded)
    # questionnaires
    _questionnaire_answered = event("QuestionnaireAnswered")(Measures._questionnaire_answered)
    # red flags
    _red_flag_raised = event("RedFlagRaised")(RedFlags._red_flag_raised)
    _red_flag_resolved = event("RedFlagResolved")(RedFlags._red_flag_resolved)
    # notes
    _session_noted = event("SessionNoted")(Notes._session_noted)
    _journal_entry_written = event("JournalEntryWritten")(Notes._journal_entry_written)
    # workplace
    # An event class written out (for its upcast) is named in this body, so the library makes
    # it a Case.Event like every other.
    ProgramStepCompleted = Workplace.ProgramStepCompleted
    _program_step_completed = event(Workplace.ProgramStepCompleted)(
        Workplace._program_step_completed
    )
    _trust_pulse_recorded = event("TrustPulseRecorded")(Workplace._trust_pulse_recorded)
    PulseOpened = Pulses.PulseOpened
    _pulse_opened = event(Pulses.PulseOpened)(Pulses._pulse_opened)
    PulseAnswered = Pulses.PulseAnswered
    _pulse_answered = event(Pulses.PulseAnswered)(Pulses._pulse_answered)
    PulseClosed = Pulses.PulseClosed
    _pulse_closed = event(Pulses.PulseClosed)(Pulses._pulse_closed)
    _program_step_owner_assigned = event("ProgramStepOwnerAssigned")(
        Workplace._program_step_owner_assigned
    )
    # what the portal shows
    EntryHeldBack = Sharing.EntryHeldBack
    _entry_held_back = event(Sharing.EntryHeldBack)(Sharing._entry_held_back)
    EntryReleased = Sharing.EntryReleased
    _entry_released = event(Sharing.EntryReleased)(Sharing._entry_released)
    # course
    _stage_advanced = event("StageAdvanced")(Course._stage_advanced)
    _approach_changed = event("ApproachChanged")(Course._approach_changed)
    _case_closed = event("CaseClosed")(Course._case_closed)
    _case_reopened = event("CaseReopened")(Course._case_reopened)
    # holds and erasure
    _legal_hold_placed = event("LegalHoldPlaced")(Erasure._legal_hold_placed)
    _legal_hold_lifted = event("LegalHoldLifted")(Erasure._legal_hold_lifted)
    _case_erased = event("CaseErased")(Erasure._case_erased)
    _person_erased = event("PersonErased")(Erasure._person_erased)



#: Events only staff may read; everything else on a case is shared unless it says otherwise.
STAFF_ONLY_EVENTS: tuple[type, ...] = (
    Case.SessionNoted, Case.RedFlagRaised, Case.RedFlagResolved,  # type: ignore[attr-defined]
    Case.EntryHeldBack, Case.EntryReleased,  # type: ignore[attr-defined]
    # Who answered a pulse is for the staff running it, never for the other participants.
    Case.PulseAnswered,  # type: ignore[attr-defined]
    # A legal hold is the practice's duty of keeping records, not part of the repair.
    Case.LegalHoldPlaced, Case.LegalHoldLifted,  # type: ignore[attr-defined]
    # A person's answers are their own: their results reach them by their own page, and a
    # partner never reads them on the shared timeline.
    Case.QuestionnaireAnswered,  # type: ignore[attr-defined]
)


def visibility_of(domain_event: Any) -> str:
    """Who may read an event: its own choice (journal entries), or its kind's."""
    chosen = getattr(domain_event, "visibility", None)
    if chosen in v.VISIBILITIES:
        return chosen
    return "staff" if isinstance(domain_event, STAFF_ONLY_EVENTS) else "shared"


def pulse_is_published(responses: int) -> bool:
    """An anonymous pulse shows its scores only once enough people answered."""
    return responses >= v.PULSE_MIN_RESPONSES
