"""Who takes part in a case and who works it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from mend.domain import checks, vocabulary as v
from mend.domain.errors import InvalidValue, RuleBroken


class People:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

    def add_participant(
        self, account_id: UUID, relation: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._require_account_id(account_id)
        if str(account_id) in self.participants:
            raise RuleBroken("That person already takes part in this case.")
        relation = checks.text("relation", relation, required=False, max_length=v.RELATION_MAX)
        self._participant_added(account_id, relation, self._when(occurred_at))

    def _participant_added(self, account_id: UUID, relation: str, occurred_at: datetime) -> None:
        self.participants[str(account_id)] = relation

    def remove_participant(self, account_id: UUID, occurred_at: datetime | None = None) -> None:
        self._require_open()
        self._require_participant("account_id", account_id)
        self._participant_removed(account_id, self._when(occurred_at))

    def _participant_removed(self, account_id: UUID, occurred_at: datetime) -> None:
        del self.participants[str(account_id)]

    def assign_practitioner(self, account_id: UUID, occurred_at: datetime | None = None) -> None:
        self._require_open()
        self._require_account_id(account_id)
        if self.has_practitioner(account_id):
            raise RuleBroken("That practitioner is already assigned to this case.")
        self._practitioner_assigned(account_id, self._when(occurred_at))

    def _practitioner_assigned(self, account_id: UUID, occurred_at: datetime) -> None:
        self.practitioners.append(str(account_id))

    def unassign_practitioner(self, account_id: UUID, occurred_at: datetime | None = None) -> None:
        self._require_open()
        if not self.has_practitioner(account_id):
            raise InvalidValue("account_id", "is not assigned to this case")
        self._practitioner_unassigned(account_id, self._when(occurred_at))

    def _practitioner_unassigned(self, account_id: UUID, occurred_at: datetime) -> None:
        self.practitioners.remove(str(account_id))

    def reassign_practitioner(
        self, from_practitioner_id: UUID, to_practitioner_id: UUID,
        occurred_at: datetime | None = None,
    ) -> None:
        """Hand the case from one practitioner to another in one step: the new one assigned
        and the old one unassigned at the same moment, or neither."""
        self._require_open()
        if not self.has_practitioner(from_practitioner_id):
            raise InvalidValue("from_practitioner_id", "is not assigned to this case")
        if not isinstance(to_practitioner_id, UUID):
            raise InvalidValue("to_practitioner_id", "must be an account id")
        if self.has_practitioner(to_practitioner_id):
            raise InvalidValue("to_practitioner_id", "is already assigned to this case")
        when = self._when(occurred_at)
        self._practitioner_assigned(to_practitioner_id, when)
        self._practitioner_unassigned(from_practitioner_id, when)
