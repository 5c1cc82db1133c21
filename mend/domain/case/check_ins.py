"""Check-ins on their cadence, reminders of overdue ones, and setbacks."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from mend.domain import checks, vocabulary as v
from mend.domain.errors import RuleBroken


class CheckIns:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

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

    def _setback_recorded(self, severity: int, description: str, occurred_at: datetime) -> None:
        pass
