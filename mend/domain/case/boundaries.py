"""Boundaries: set, revised, retired, and crossed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from mend.domain import checks
from mend.domain.errors import InvalidValue, RuleBroken


class Boundaries:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

    def set_boundary(self, text: str, occurred_at: datetime | None = None) -> UUID:
        self._require_open()
        boundary_id = uuid4()
        self._boundary_set(boundary_id, checks.text("text", text), self._when(occurred_at))
        return boundary_id

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

    def _boundary_revised(self, boundary_id: UUID, text: str, occurred_at: datetime) -> None:
        pass

    def retire_boundary(
        self, boundary_id: UUID, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._require_active_boundary(boundary_id)
        note = checks.text("note", note, required=False)
        self._boundary_retired(boundary_id, note, self._when(occurred_at))

    def _boundary_retired(self, boundary_id: UUID, note: str, occurred_at: datetime) -> None:
        self.boundaries[str(boundary_id)] = "retired"

    def record_boundary_crossed(
        self, boundary_id: UUID, note: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        self._require_active_boundary(boundary_id)
        note = checks.text("note", note, required=False)
        self._boundary_crossed(boundary_id, note, self._when(occurred_at))

    def _boundary_crossed(self, boundary_id: UUID, note: str, occurred_at: datetime) -> None:
        pass
