"""Session notes for staff and journal entries for the people in the case."""

from __future__ import annotations

from datetime import datetime

from mend.domain import checks, vocabulary as v


class Notes:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

    def note_session(self, text: str, occurred_at: datetime | None = None) -> None:
        self._require_open()
        self._session_noted(checks.text("text", text), self._when(occurred_at))

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

    def _journal_entry_written(self, text: str, visibility: str, occurred_at: datetime) -> None:
        pass
