"""The commands that record an event on a case: one frozen dataclass each.

A command is a value: the API builds it from a JSON body, the web forms from a form body,
the demo seeder from a story, the tests by hand, and ``Casework.record`` runs every one the
same way. Each class says who may run it (``who``), how a refusal reads (``action``), and in
``apply`` calls one method of the Case with named arguments, so renaming a parameter on
either side is an error a type checker (and the first test) reports, not a runtime surprise.

Dataclasses rather than one signature per service method: the value can be built in one place
and run in another (a form is loaded before the case is), compared in tests, and its fields
are the list that the request schemas are checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from mend.domain import authorization as authz
from mend.domain.authorization import Actor
from mend.domain.ballots import BallotBox
from mend.domain.case import Case

#: Who may run a command: staff on the case, anyone on the case, or supervisors and owners.
STAFF, ANYONE_ON_CASE, OVERSEERS = "staff", "anyone", "overseers"


@dataclass(frozen=True)
class MemberCheck:
    """An account a command puts on the case, which must be a member of the tenant."""

    account_id: UUID
    staff: bool
    #: The request's field that names the account, for a refusal to point at.
    field: str = "account_id"


@dataclass(frozen=True, kw_only=True)
class CaseCommand:
    """Records one event on an existing case. ``occurred_at`` None means now."""

    who: ClassVar[str] = STAFF
    action: ClassVar[str]

    occurred_at: datetime | None = None

    @classmethod
    def allowed(cls, actor: Actor) -> bool:
        """Whether ``actor``'s role may run this command at all (on a case they can see)."""
        if cls.who == STAFF:
            return actor.is_staff
        if cls.who == OVERSEERS:
            return actor.oversees_tenant
        return True

    def apply(self, case: Case, actor: Actor) -> Any:
        """Call the one Case method this command stands for; returns what it created."""
        raise NotImplementedError

    def member(self) -> MemberCheck | None:
        """The account this command puts on the case, if any."""
        return None

    def made_with(self, case: Case, result: Any) -> list[Any]:
        """Other aggregates the command makes, saved in the same transaction as the case."""
        return []


# ---------------------------------------------------------------------- people
@dataclass(frozen=True, kw_only=True)
class AddParticipant(CaseCommand):
    action: ClassVar[str] = "add participants"
    account_id: UUID
    relation: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.add_participant(self.account_id, relation=self.relation,
                             occurred_at=self.occurred_at)

    def member(self) -> MemberCheck:
        return MemberCheck(self.account_id, staff=False)


@dataclass(frozen=True, kw_only=True)
class RemoveParticipant(CaseCommand):
    action: ClassVar[str] = "remove participants"
    account_id: UUID

    def apply(self, case: Case, actor: Actor) -> None:
        case.remove_participant(self.account_id, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class AssignPractitioner(CaseCommand):
    who: ClassVar[str] = OVERSEERS
    action: ClassVar[str] = "assign practitioners"
    account_id: UUID

    def apply(self, case: Case, actor: Actor) -> None:
        case.assign_practitioner(self.account_id, occurred_at=self.occurred_at)

    def member(self) -> MemberCheck:
        return MemberCheck(self.account_id, staff=True)


@dataclass(frozen=True, kw_only=True)
class ReassignCase(CaseCommand):
    """Hand the case from one practitioner to another in one save (two events)."""

    who: ClassVar[str] = OVERSEERS
    action: ClassVar[str] = "re-assign cases"
    from_practitioner_id: UUID
    to_practitioner_id: UUID

    def apply(self, case: Case, actor: Actor) -> None:
        case.reassign_practitioner(self.from_practitioner_id, self.to_practitioner_id,
                                   occurred_at=self.occurred_at)

    def member(self) -> MemberCheck:
        return MemberCheck(self.to_practitioner_id, staff=True, field="to_practitioner_id")


@dataclass(frozen=True, kw_only=True)
class UnassignPractitioner(CaseCommand):
    who: ClassVar[str] = OVERSEERS
    action: ClassVar[str] = "unassign practitioners"
    account_id: UUID

    def apply(self, case: Case, actor: Actor) -> None:
        case.unassign_practitioner(self.account_id, occurred_at=self.occurred_at)


# ---------------------------------------------------------------------- what clients record too
@dataclass(frozen=True, kw_only=True)
class RecordCheckIn(CaseCommand):
    who: ClassVar[str] = ANYONE_ON_CASE
    action: ClassVar[str] = "record check-ins"
    trust: int
    emotional_safety: int
    communication_ease: int
    conflicts: int
    note: str = ""
    participant_id: UUID | None = None

    def apply(self, case: Case, actor: Actor) -> None:
        case.record_check_in(
            participant_id=authz.checking_in_for(actor, self.participant_id),
            trust=self.trust, emotional_safety=self.emotional_safety,
            communication_ease=self.communication_ease, conflicts=self.conflicts,
            note=self.note, occurred_at=self.occurred_at,
        )


@dataclass(frozen=True, kw_only=True)
class AnswerQuestionnaire(CaseCommand):
    who: ClassVar[str] = ANYONE_ON_CASE
    action: ClassVar[str] = "answer questionnaires"
    instrument: str
    answers: dict[str, int]
    participant_id: UUID | None = None

    def apply(self, case: Case, actor: Actor) -> Any:
        # A client answers for themselves; staff enter answers given on paper, for anyone.
        return case.answer_questionnaire(
            participant_id=authz.checking_in_for(actor, self.participant_id),
            instrument=self.instrument, answers=self.answers, occurred_at=self.occurred_at,
        )


@dataclass(frozen=True, kw_only=True)
class WriteJournal(CaseCommand):
    who: ClassVar[str] = ANYONE_ON_CASE
    action: ClassVar[str] = "write journal entries"
    text: str
    visibility: str = "private"

    def apply(self, case: Case, actor: Actor) -> None:
        case.write_journal(self.text, visibility=self.visibility, occurred_at=self.occurred_at)


# ---------------------------------------------------------------------- the breach and readiness
@dataclass(frozen=True, kw_only=True)
class DiscloseBreach(CaseCommand):
    action: ClassVar[str] = "record breaches"
    category: str
    summary: str

    def apply(self, case: Case, actor: Actor) -> None:
        case.disclose_breach(self.category, self.summary, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class AssessReadiness(CaseCommand):
    """Staff assess the case's readiness; a participant answers the checklist for themselves
    (the event's actor says whose answers they are)."""

    who: ClassVar[str] = ANYONE_ON_CASE
    action: ClassVar[str] = "assess readiness"
    answers: dict[str, bool]
    note: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.assess_readiness(self.answers, note=self.note, occurred_at=self.occurred_at)


# ---------------------------------------------------------------------- apologies, boundaries
@dataclass(frozen=True, kw_only=True)
class OfferApology(CaseCommand):
    action: ClassVar[str] = "record apologies"
    from_id: UUID
    to_ids: list[UUID]
    text: str
    names_harm: bool
    takes_responsibility: bool
    commits_to_change: bool

    def apply(self, case: Case, actor: Actor) -> None:
        case.offer_apology(
            from_id=self.from_id,
            to_ids=self.to_ids,
            text=self.text,
            names_harm=self.names_harm,
            takes_responsibility=self.takes_responsibility,
            commits_to_change=self.commits_to_change,
            occurred_at=self.occurred_at,
        )


@dataclass(frozen=True, kw_only=True)
class SetBoundary(CaseCommand):
    action: ClassVar[str] = "set boundaries"
    text: str

    def apply(self, case: Case, actor: Actor) -> UUID:
        return case.set_boundary(self.text, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class ReviseBoundary(CaseCommand):
    action: ClassVar[str] = "revise boundaries"
    boundary_id: UUID
    text: str

    def apply(self, case: Case, actor: Actor) -> None:
        case.revise_boundary(self.boundary_id, self.text, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class RetireBoundary(CaseCommand):
    action: ClassVar[str] = "retire boundaries"
    boundary_id: UUID
    note: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.retire_boundary(self.boundary_id, note=self.note, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class RecordBoundaryCrossed(CaseCommand):
    action: ClassVar[str] = "record crossed boundaries"
    boundary_id: UUID
    note: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.record_boundary_crossed(self.boundary_id, note=self.note, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class MakeAgreement(CaseCommand):
    action: ClassVar[str] = "record agreements"
    text: str

    def apply(self, case: Case, actor: Actor) -> UUID:
        return case.make_agreement(self.text, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class KeepAgreement(CaseCommand):
    """"We kept this today": anyone on the case marks one of its agreements kept."""

    who: ClassVar[str] = ANYONE_ON_CASE
    action: ClassVar[str] = "record agreements kept"
    agreement_id: UUID
    note: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.keep_agreement(self.agreement_id, note=self.note, occurred_at=self.occurred_at)


# ---------------------------------------------------------------------- setbacks and rituals
@dataclass(frozen=True, kw_only=True)
class RecordSetback(CaseCommand):
    action: ClassVar[str] = "record setbacks"
    severity: int
    description: str

    def apply(self, case: Case, actor: Actor) -> None:
        case.record_setback(self.severity, self.description, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class PracticeRitual(CaseCommand):
    """"We did this today": staff or the participants themselves."""

    who: ClassVar[str] = ANYONE_ON_CASE
    action: ClassVar[str] = "record rituals"
    ritual: str
    note: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.practice_ritual(self.ritual, note=self.note, occurred_at=self.occurred_at)


# ---------------------------------------------------------------------- red flags
@dataclass(frozen=True, kw_only=True)
class RaiseRedFlag(CaseCommand):
    action: ClassVar[str] = "raise red flags"
    code: str
    note: str = ""

    def apply(self, case: Case, actor: Actor) -> UUID:
        return case.raise_red_flag(self.code, note=self.note, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class ResolveRedFlag(CaseCommand):
    action: ClassVar[str] = "resolve red flags"
    flag_id: UUID
    note: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.resolve_red_flag(self.flag_id, note=self.note, occurred_at=self.occurred_at)


# ---------------------------------------------------------------------- stages, milestones, notes
@dataclass(frozen=True, kw_only=True)
class AdvanceStage(CaseCommand):
    action: ClassVar[str] = "advance stages"
    stage: str
    reason: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.advance_stage(self.stage, reason=self.reason, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class ReachMilestone(CaseCommand):
    action: ClassVar[str] = "record milestones"
    title: str
    note: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.reach_milestone(self.title, note=self.note, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class NoteSession(CaseCommand):
    action: ClassVar[str] = "write staff notes"
    text: str

    def apply(self, case: Case, actor: Actor) -> None:
        case.note_session(self.text, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class ChangeApproach(CaseCommand):
    action: ClassVar[str] = "change the approach"
    approach: str
    reason: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.change_approach(self.approach, reason=self.reason, occurred_at=self.occurred_at)


# ---------------------------------------------------------------------- the workplace program
@dataclass(frozen=True, kw_only=True)
class CompleteProgramStep(CaseCommand):
    action: ClassVar[str] = "complete program steps"
    step: str
    note: str = ""
    reason: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.complete_program_step(
            self.step, note=self.note, reason=self.reason, occurred_at=self.occurred_at
        )


@dataclass(frozen=True, kw_only=True)
class AssignStepOwner(CaseCommand):
    action: ClassVar[str] = "assign program step owners"
    step: str
    account_id: UUID

    def apply(self, case: Case, actor: Actor) -> None:
        case.assign_step_owner(self.step, self.account_id, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class OpenPulse(CaseCommand):
    """Send an anonymous pulse to the case's participants; its ballot box is made with it."""

    action: ClassVar[str] = "open trust pulses"
    question: str
    closes_at: datetime

    def apply(self, case: Case, actor: Actor) -> UUID:
        return case.open_pulse(self.question, self.closes_at, occurred_at=self.occurred_at)

    def made_with(self, case: Case, result: Any) -> list[Any]:
        return [BallotBox(pulse_id=result, case_id=case.id)]


@dataclass(frozen=True, kw_only=True)
class ClosePulse(CaseCommand):
    action: ClassVar[str] = "close trust pulses"
    pulse_id: UUID

    def apply(self, case: Case, actor: Actor) -> None:
        case.close_pulse(self.pulse_id, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class RecordTrustPulse(CaseCommand):
    action: ClassVar[str] = "record trust pulses"
    scores: list[int]

    def apply(self, case: Case, actor: Actor) -> None:
        case.record_trust_pulse(self.scores, occurred_at=self.occurred_at)


# ---------------------------------------------------------------------- what the portal shows
@dataclass(frozen=True, kw_only=True)
class EntryCommand(CaseCommand):
    """A command about one timeline entry of the case. ``Casework`` fills in
    ``entry_visibility`` from the stored event before it runs; no request sets it."""

    entry_id: UUID
    entry_visibility: str | None = field(default=None, metadata={"filled_in_by": "casework"})


@dataclass(frozen=True, kw_only=True)
class HoldBackEntry(EntryCommand):
    action: ClassVar[str] = "hold back portal entries"
    until: datetime | None = None
    reason: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.hold_back_entry(self.entry_id, entry_visibility=self.entry_visibility,
                             until=self.until, reason=self.reason,
                             occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class ReleaseEntry(EntryCommand):
    action: ClassVar[str] = "release portal entries"

    def apply(self, case: Case, actor: Actor) -> None:
        case.release_entry(self.entry_id, occurred_at=self.occurred_at)


# ---------------------------------------------------------------------- closing
@dataclass(frozen=True, kw_only=True)
class CloseCase(CaseCommand):
    action: ClassVar[str] = "close cases"
    outcome: str
    note: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.close(self.outcome, note=self.note, occurred_at=self.occurred_at)


@dataclass(frozen=True, kw_only=True)
class ReopenCase(CaseCommand):
    action: ClassVar[str] = "reopen cases"
    reason: str = ""

    def apply(self, case: Case, actor: Actor) -> None:
        case.reopen(reason=self.reason, occurred_at=self.occurred_at)


#: Every case command, in the order the API documents them.
CASE_COMMANDS: tuple[type[CaseCommand], ...] = (
    AddParticipant,
    RemoveParticipant,
    AssignPractitioner,
    UnassignPractitioner,
    ReassignCase,
    DiscloseBreach,
    RecordCheckIn,
    AnswerQuestionnaire,
    RecordSetback,
    OfferApology,
    SetBoundary,
    ReviseBoundary,
    RetireBoundary,
    RecordBoundaryCrossed,
    RaiseRedFlag,
    ResolveRedFlag,
    NoteSession,
    WriteJournal,
    PracticeRitual,
    MakeAgreement,
    KeepAgreement,
    AssessReadiness,
    ReachMilestone,
    AdvanceStage,
    ChangeApproach,
    CompleteProgramStep,
    AssignStepOwner,
    OpenPulse,
    ClosePulse,
    RecordTrustPulse,
    HoldBackEntry,
    ReleaseEntry,
    CloseCase,
    ReopenCase,
)
