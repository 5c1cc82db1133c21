"""The Case aggregate: one trust-repair case, its events, and the rules every command must keep.

Public methods check the rules and then trigger an event through a private method decorated
with ``@event``; replaying stored events runs only the private methods, so a rule added later
never stops an old case from loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from mend.domain import checks, vocabulary as v
from mend.domain.acting import MendAggregate
from mend.domain.errors import InvalidValue, RuleBroken


class Case(MendAggregate):
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
        self.red_flags: dict[str, dict[str, str]] = {}  # id -> {code, status}
        self.steps_done: list[str] = []
        self.check_ins = 0
        self.last_check_in_at: datetime | None = None
        self.reminded_for: str | None = None

    # ------------------------------------------------------------------ guards
    def _when(self, occurred_at: datetime | None) -> datetime:
        now = checks.utcnow()
        # Only None means "now": a falsy non-time ("", 0) is a wrong value, not a missing one.
        return checks.moment(
            "occurred_at",
            now if occurred_at is None else occurred_at,
            now=now,
            not_before=self.opened_at,
        )

    def _require_open(self) -> None:
        if self.status != "open":
            raise RuleBroken("The case is closed: reopen it before recording anything else.")

    def _require_workplace(self, what: str) -> None:
        if self.kind != "workplace":
            raise RuleBroken(f"{what} belong only to workplace cases.")

    @staticmethod
    def _require_account_id(account_id: object) -> None:
        if not isinstance(account_id, UUID):
            raise InvalidValue("account_id", "must be an account id")

    def _require_participant(self, field: str, account_id: UUID) -> None:
        if not isinstance(account_id, UUID) or str(account_id) not in self.participants:
            raise InvalidValue(field, "is not a participant of this case")

    def has_participant(self, account_id: UUID) -> bool:
        return str(account_id) in self.participants

    def has_practitioner(self, account_id: UUID) -> bool:
        return str(account_id) in self.practitioners

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    # ------------------------------------------------------------------ people
    def add_participant(
        self, account_id: UUID, relation: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._require_account_id(account_id)
        if str(account_id) in self.participants:
            raise RuleBroken("That person already takes part in this case.")
        relation = checks.text("relation", relation, required=False, max_length=v.RELATION_MAX)
        self._participant_added(account_id, relation, self._when(occurred_at))

    @event("ParticipantAdded")
    def _participant_added(self, account_id: UUID, relation: str, occurred_at: datetime) -> None:
        self.participants[str(account_id)] = relation

    def remove_participant(self, account_id: UUID, occurred_at: datetime | None = None) -> None:
        self._require_open()
        self._require_participant("account_id", account_id)
        self._participant_removed(account_id, self._when(occurred_at))

    @event("ParticipantRemoved")
    def _participant_removed(self, account_id: UUID, occurred_at: datetime) -> None:
        del self.participants[str(account_id)]

    def assign_practitioner(self, account_id: UUID, occurred_at: datetime | None = None) -> None:
        self._require_open()
        self._require_account_id(account_id)
        if self.has_practitioner(account_id):
            raise RuleBroken("That practitioner is already assigned to this case.")
        self._practitioner_assigned(account_id, self._when(occurred_at))

    @event("PractitionerAssigned")
    def _practitioner_assigned(self, account_id: UUID, occurred_at: datetime) -> None:
        self.practitioners.append(str(account_id))

    def unassign_practitioner(self, account_id: UUID, occurred_at: datetime | None = None) -> None:
        self._require_open()
        if not self.has_practitioner(account_id):
            raise InvalidValue("account_id", "is not assigned to this case")
        self._practitioner_unassigned(account_id, self._when(occurred_at))

    @event("PractitionerUnassigned")
    def _practitioner_unassigned(self, account_id: UUID, occurred_at: datetime) -> None:
        self.practitioners.remove(str(account_id))

    # ------------------------------------------------------------------ the breach and readiness
    def disclose_breach(
        self, category: str, summary: str, occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._breach_disclosed(
            checks.one_of("category", category, v.BREACH_CATEGORIES),
            checks.text("summary", summary),
            self._when(occurred_at),
        )

    @event("BreachDisclosed")
    def _breach_disclosed(self, category: str, summary: str, occurred_at: datetime) -> None:
        self.breaches.append({"category": category})

    def assess_readiness(
        self, answers: dict[str, bool], note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        if not isinstance(answers, dict) or not answers:
            raise InvalidValue("answers", "must answer at least one checklist item")
        for item, answer in answers.items():
            checks.one_of("answers", item, v.READINESS_ITEMS)
            checks.flag(f"answers.{item}", answer)
        note = checks.text("note", note, required=False)
        self._readiness_assessed(dict(answers), note, self._when(occurred_at))

    @event("ReadinessAssessed")
    def _readiness_assessed(
        self, answers: dict[str, bool], note: str, occurred_at: datetime
    ) -> None:
        pass

    # ------------------------------------------------------------------ apologies, boundaries
    def offer_apology(
        self,
        *,
        from_id: UUID,
        to_ids: list[UUID],
        text: str,
        names_harm: bool,
        takes_responsibility: bool,
        commits_to_change: bool,
        occurred_at: datetime | None = None,
    ) -> None:
        self._require_open()
        self._require_participant("from_id", from_id)
        if not isinstance(to_ids, (list, tuple)) or not to_ids:
            raise InvalidValue("to_ids", "must name at least one participant")
        if len(to_ids) > v.MAX_APOLOGY_RECIPIENTS:
            raise InvalidValue("to_ids", f"must name at most {v.MAX_APOLOGY_RECIPIENTS} people")
        for to_id in to_ids:
            self._require_participant("to_ids", to_id)
        if from_id in to_ids:
            raise InvalidValue("to_ids", "must not include the person apologising")
        if len(set(to_ids)) != len(to_ids):
            raise InvalidValue("to_ids", "must name each participant once")
        self._apology_offered(
            from_id,
            list(to_ids),
            checks.text("text", text),
            checks.flag("names_harm", names_harm),
            checks.flag("takes_responsibility", takes_responsibility),
            checks.flag("commits_to_change", commits_to_change),
            self._when(occurred_at),
        )

    @event("ApologyOffered")
    def _apology_offered(
        self,
        from_id: UUID,
        to_ids: list[UUID],
        text: str,
        names_harm: bool,
        takes_responsibility: bool,
        commits_to_change: bool,
        occurred_at: datetime,
    ) -> None:
        pass

    def set_boundary(self, text: str, occurred_at: datetime | None = None) -> UUID:
        self._require_open()
        boundary_id = uuid4()
        self._boundary_set(boundary_id, checks.text("text", text), self._when(occurred_at))
        return boundary_id

    @event("BoundarySet")
    def _boundary_set(self, boundary_id: UUID, text: str, occurred_at: datetime) -> None:
        self.boundaries[str(boundary_id)] = "active"

    def _require_active_boundary(self, boundary_id: UUID) -> None:
        state = self.boundaries.get(str(boundary_id))
        if state is None:
            raise InvalidValue("boundary_id", "is not a boundary of this case")
        if state != "active":
            raise RuleBroken("That boundary was retired: only active boundaries change.")

    def revise_boundary(
        self, boundary_id: UUID, text: str, occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._require_active_boundary(boundary_id)
        self._boundary_revised(boundary_id, checks.text("text", text), self._when(occurred_at))

    @event("BoundaryRevised")
    def _boundary_revised(self, boundary_id: UUID, text: str, occurred_at: datetime) -> None:
        pass

    def retire_boundary(
        self, boundary_id: UUID, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._require_active_boundary(boundary_id)
        note = checks.text("note", note, required=False)
        self._boundary_retired(boundary_id, note, self._when(occurred_at))

    @event("BoundaryRetired")
    def _boundary_retired(self, boundary_id: UUID, note: str, occurred_at: datetime) -> None:
        self.boundaries[str(boundary_id)] = "retired"

    def record_boundary_crossed(
        self, boundary_id: UUID, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._require_active_boundary(boundary_id)
        note = checks.text("note", note, required=False)
        self._boundary_crossed(boundary_id, note, self._when(occurred_at))

    @event("BoundaryCrossed")
    def _boundary_crossed(self, boundary_id: UUID, note: str, occurred_at: datetime) -> None:
        pass

    def make_agreement(self, text: str, occurred_at: datetime | None = None) -> UUID:
        self._require_open()
        agreement_id = uuid4()
        self._agreement_made(agreement_id, checks.text("text", text), self._when(occurred_at))
        return agreement_id

    @event("AgreementMade")
    def _agreement_made(self, agreement_id: UUID, text: str, occurred_at: datetime) -> None:
        pass

    # ------------------------------------------------------------------ check-ins and setbacks
    def record_check_in(
        self,
        *,
        participant_id: UUID | None,
        trust: int,
        emotional_safety: int,
        communication_ease: int,
        conflicts: int,
        note: str = "",
        occurred_at: datetime | None = None,
    ) -> None:
        self._require_open()
        if participant_id is not None:
            self._require_participant("participant_id", participant_id)
        self._check_in_recorded(
            participant_id,
            checks.integer_between("trust", trust, v.RATING_MIN, v.RATING_MAX),
            checks.integer_between(
                "emotional_safety", emotional_safety, v.RATING_MIN, v.RATING_MAX
            ),
            checks.integer_between(
                "communication_ease", communication_ease, v.RATING_MIN, v.RATING_MAX
            ),
            checks.integer_between("conflicts", conflicts, 0, v.MAX_CONFLICTS),
            checks.text("note", note, required=False),
            self._when(occurred_at),
        )

    @event("CheckInRecorded")
    def _check_in_recorded(
        self,
        participant_id: UUID | None,
        trust: int,
        emotional_safety: int,
        communication_ease: int,
        conflicts: int,
        note: str,
        occurred_at: datetime,
    ) -> None:
        self.check_ins += 1
        if self.last_check_in_at is None or occurred_at > self.last_check_in_at:
            self.last_check_in_at = occurred_at

    def next_check_in_due(self) -> datetime:
        """When the next check-in is due: one cadence after the latest, or after opening."""
        return (self.last_check_in_at or self.opened_at) + timedelta(days=self.cadence_days)

    def remind_check_in(self, now: datetime | None = None) -> None:
        """Record that participants were reminded of an overdue check-in, once per due date."""
        self._require_open()
        now = now or checks.utcnow()
        due = self.next_check_in_due()
        if due > now:
            raise RuleBroken("No check-in is due yet.")
        if self.reminded_for == due.isoformat():
            raise RuleBroken("Participants were already reminded of this check-in.")
        self._check_in_reminder_sent(due, now)

    @event("CheckInReminderSent")
    def _check_in_reminder_sent(self, due_at: datetime, occurred_at: datetime) -> None:
        self.reminded_for = due_at.isoformat()

    def record_setback(
        self, severity: int, description: str, occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._setback_recorded(
            checks.integer_between("severity", severity, v.SEVERITY_MIN, v.SEVERITY_MAX),
            checks.text("description", description),
            self._when(occurred_at),
        )

    @event("SetbackRecorded")
    def _setback_recorded(self, severity: int, description: str, occurred_at: datetime) -> None:
        pass

    def practice_ritual(
        self, ritual: str, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        ritual = checks.one_of("ritual", ritual, v.RITUALS)
        if ritual not in v.RITUALS_BY_KIND[self.kind]:
            fitting = ", ".join(v.RITUALS_BY_KIND[self.kind]) or "none: use the program's steps"
            raise InvalidValue("ritual", f"does not fit a {self.kind} case (fitting: {fitting})")
        self._ritual_practiced(
            ritual,
            checks.text("note", note, required=False),
            self._when(occurred_at),
        )

    @event("RitualPracticed")
    def _ritual_practiced(self, ritual: str, note: str, occurred_at: datetime) -> None:
        pass

    # ------------------------------------------------------------------ red flags
    def raise_red_flag(
        self, code: str, note: str = "", occurred_at: datetime | None = None
    ) -> UUID:
        self._require_open()
        flag_id = uuid4()
        self._red_flag_raised(
            flag_id,
            checks.one_of("code", code, v.RED_FLAGS),
            checks.text("note", note, required=False),
            self._when(occurred_at),
        )
        return flag_id

    @event("RedFlagRaised")
    def _red_flag_raised(self, flag_id: UUID, code: str, note: str, occurred_at: datetime) -> None:
        self.red_flags[str(flag_id)] = {"code": code, "status": "open"}

    def resolve_red_flag(
        self, flag_id: UUID, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        flag = self.red_flags.get(str(flag_id))
        if flag is None:
            raise InvalidValue("flag_id", "is not a red flag of this case")
        if flag["status"] != "open":
            raise RuleBroken("That red flag is already resolved.")
        note = checks.text("note", note, required=False)
        self._red_flag_resolved(flag_id, note, self._when(occurred_at))

    @event("RedFlagResolved")
    def _red_flag_resolved(self, flag_id: UUID, note: str, occurred_at: datetime) -> None:
        self.red_flags[str(flag_id)]["status"] = "resolved"

    @property
    def open_red_flags(self) -> list[str]:
        return [f["code"] for f in self.red_flags.values() if f["status"] == "open"]

    # ------------------------------------------------------------------ stages, milestones, notes
    def advance_stage(
        self, stage: str, reason: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        stage = checks.one_of("stage", stage, v.STAGES)
        steps = v.STAGES.index(stage) - v.STAGES.index(self.stage)
        if steps <= 0:
            raise RuleBroken(f"Stages only move forward: the case is already in {self.stage}.")
        reason = checks.text("reason", reason, required=False)
        if steps > 1 and not reason.strip():
            skipped = ", ".join(v.STAGES[v.STAGES.index(self.stage) + 1 : v.STAGES.index(stage)])
            raise InvalidValue("reason", f"must say why the case skips {skipped}")
        self._stage_advanced(self.stage, stage, reason, self._when(occurred_at))

    @event("StageAdvanced")
    def _stage_advanced(
        self, from_stage: str, stage: str, reason: str, occurred_at: datetime
    ) -> None:
        self.stage = stage

    def reach_milestone(
        self, title: str, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._milestone_reached(
            checks.text("title", title, max_length=v.SHORT_MAX),
            checks.text("note", note, required=False),
            self._when(occurred_at),
        )

    @event("MilestoneReached")
    def _milestone_reached(self, title: str, note: str, occurred_at: datetime) -> None:
        pass

    def note_session(self, text: str, occurred_at: datetime | None = None) -> None:
        self._require_open()
        self._session_noted(checks.text("text", text), self._when(occurred_at))

    @event("SessionNoted")
    def _session_noted(self, text: str, occurred_at: datetime) -> None:
        pass

    def write_journal(
        self, text: str, visibility: str = "private", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._journal_entry_written(
            checks.text("text", text),
            checks.one_of("visibility", visibility, v.JOURNAL_VISIBILITIES),
            self._when(occurred_at),
        )

    @event("JournalEntryWritten")
    def _journal_entry_written(self, text: str, visibility: str, occurred_at: datetime) -> None:
        pass

    # ------------------------------------------------------------------ workplace programme
    def complete_program_step(
        self, step: str, note: str = "", reason: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._require_workplace("Program steps")
        step = checks.one_of("step", step, v.PROGRAM_STEPS)
        if step in self.steps_done:
            raise RuleBroken(f"The program step {step} is already completed.")
        note = checks.text("note", note, required=False)
        reason = checks.text("reason", reason, required=False)
        if self.steps_skipped_by(step) and not reason.strip():
            raise InvalidValue(
                "reason",
                f"must say why {step} comes before {', '.join(self.steps_skipped_by(step))}",
            )
        self._program_step_completed(step, note, reason, self._when(occurred_at))

    def steps_skipped_by(self, step: str) -> list[str]:
        """The earlier program steps not yet done: taking ``step`` now takes it out of order."""
        earlier = v.PROGRAM_STEPS[: v.PROGRAM_STEPS.index(step)]
        return [s for s in earlier if s not in self.steps_done]

    @dataclass(frozen=True)
    class ProgramStepCompleted(MendAggregate.Event):
        """Version 2 keeps the reason given for a step taken out of order."""

        class_version = 2
        step: str
        note: str
        reason: str
        occurred_at: datetime

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reason"] = ""

    @event(ProgramStepCompleted)
    def _program_step_completed(
        self, step: str, note: str, reason: str, occurred_at: datetime
    ) -> None:
        self.steps_done.append(step)

    def record_trust_pulse(self, scores: list[int], occurred_at: datetime | None = None) -> None:
        self._require_open()
        self._require_workplace("Trust pulses")
        if not isinstance(scores, list) or not scores:
            raise InvalidValue("scores", "must hold at least one score")
        if len(scores) > v.MAX_PULSE_SCORES:
            raise InvalidValue("scores", f"must hold at most {v.MAX_PULSE_SCORES} scores")
        for score in scores:
            checks.integer_between("scores", score, v.RATING_MIN, v.RATING_MAX)
        self._trust_pulse_recorded(list(scores), self._when(occurred_at))

    @event("TrustPulseRecorded")
    def _trust_pulse_recorded(self, scores: list[int], occurred_at: datetime) -> None:
        pass

    # ------------------------------------------------------------------ approach, closing
    def change_approach(
        self, approach: str, reason: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        approach = checks.one_of("approach", approach, v.APPROACHES)
        if approach == self.approach:
            raise RuleBroken(f"The case already follows the {approach} approach.")
        reason = checks.text("reason", reason, required=False)
        self._approach_changed(self.approach, approach, reason, self._when(occurred_at))

    @event("ApproachChanged")
    def _approach_changed(
        self, from_approach: str, approach: str, reason: str, occurred_at: datetime
    ) -> None:
        self.approach = approach

    def close(self, outcome: str, note: str = "", occurred_at: datetime | None = None) -> None:
        self._require_open()
        self._case_closed(
            checks.one_of("outcome", outcome, v.OUTCOMES),
            checks.text("note", note, required=False),
            self._when(occurred_at),
        )

    @event("CaseClosed")
    def _case_closed(self, outcome: str, note: str, occurred_at: datetime) -> None:
        self.status = "closed"
        self.outcome = outcome

    def reopen(self, reason: str = "", occurred_at: datetime | None = None) -> None:
        if self.status != "closed":
            raise RuleBroken("Only a closed case can be reopened.")
        reason = checks.text("reason", reason, required=False)
        self._case_reopened(reason, self._when(occurred_at))

    @event("CaseReopened")
    def _case_reopened(self, reason: str, occurred_at: datetime) -> None:
        self.status = "open"
        self.outcome = None


#: Events only staff may read; everything else on a case is shared unless it says otherwise.
STAFF_ONLY_EVENTS: tuple[type, ...] = (
    Case.SessionNoted, Case.RedFlagRaised, Case.RedFlagResolved,  # type: ignore[attr-defined]
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
