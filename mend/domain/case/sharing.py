"""What the portal shows: staff may hold a shared entry back and release it, now or on a date.

Holding back changes no stored entry. It is a fact of its own, and the reader leaves a held
entry out of every participant's view (its author's excepted: it is theirs) until it is
released or its release time passes, so "release on Friday" needs no job to run on Friday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from mend.domain import checks
from mend.domain.acting import MendAggregate
from mend.domain.errors import InvalidValue


class Sharing:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

    def hold_back_entry(
        self,
        entry_id: UUID,
        *,
        entry_visibility: str | None,
        until: datetime | None = None,
        reason: str = "",
        occurred_at: datetime | None = None,
    ) -> None:
        """``entry_visibility`` is who may read the entry, as the store holds it (None when
        ``entry_id`` is no entry of this case): only a shared entry reaches the portal."""
        if entry_visibility is None:
            raise InvalidValue("entry_id", "is not an entry of this case")
        if entry_visibility != "shared":
            raise InvalidValue("entry_id", "is not shown in the portal, so there is nothing "
                                           "to hold back")
        when = self._when(occurred_at)
        if until is not None:
            if not isinstance(until, datetime) or until.tzinfo is None:
                raise InvalidValue("until", "must be a date and time with a UTC offset")
            until = until.astimezone(timezone.utc)
            if until <= checks.utcnow():
                raise InvalidValue("until", "must be later than now (to show it now, release "
                                            "it)")
        self._entry_held_back(entry_id, until, checks.text("reason", reason, required=False),
                              when)

    def release_entry(self, entry_id: UUID, occurred_at: datetime | None = None) -> None:
        if not self.is_held_back(entry_id, checks.utcnow()):
            raise InvalidValue("entry_id", "is not held back from the portal")
        self._entry_released(entry_id, self._when(occurred_at))

    def is_held_back(self, entry_id: UUID, now: datetime) -> bool:
        held = self._held().get(str(entry_id), False)
        return held is None or (held is not False and held > now)

    def _held(self) -> dict[str, datetime | None]:
        # A case snapshotted before holding back existed has no such attribute yet.
        return self.__dict__.setdefault("held_entries", {})

    @dataclass(frozen=True)
    class EntryHeldBack(MendAggregate.Event):
        """An entry kept out of the portal: until a time, or (``until`` None) until released."""

        class_version = 1
        entry_id: UUID
        until: datetime | None
        reason: str
        occurred_at: datetime

    def _entry_held_back(self, entry_id: UUID, until: datetime | None, reason: str,
                         occurred_at: datetime) -> None:
        self._held()[str(entry_id)] = until

    @dataclass(frozen=True)
    class EntryReleased(MendAggregate.Event):
        """A held entry shown in the portal from now on."""

        class_version = 1
        entry_id: UUID
        occurred_at: datetime

    def _entry_released(self, entry_id: UUID, occurred_at: datetime) -> None:
        self._held().pop(str(entry_id), None)
