"""Legal holds and erasure: a case kept for its retention period, or its words erased.

Erasing is recorded as a fact in the clear (who, when, why, from a closed list of reasons),
then the keys that sealed the words are deleted (``mend.domain.erasure``). The events stay,
so replay, figures and the history's hash chain all hold; only the words are gone.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from mend.domain import checks, vocabulary as v
from mend.domain.errors import RuleBroken
from mend.domain.erased import ERASED


class Erasure:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

    def _hold(self) -> dict[str, str] | None:
        # A case snapshotted before holds existed has no such attribute yet.
        return self.__dict__.get("legal_hold")

    def held_until(self, now: datetime) -> datetime | None:
        """The end of the legal hold on this case, while one stands."""
        hold = self._hold()
        if hold is None:
            return None
        until = datetime.fromisoformat(hold["until"])
        return until if until > now else None

    def place_legal_hold(self, reason: str, until: datetime, now: datetime) -> None:
        if self.status == "erased":
            raise RuleBroken("This case was erased: there is nothing left to hold.")
        reason = checks.one_of("reason", reason, v.HOLD_REASONS)
        if until <= now:
            raise RuleBroken("A legal hold must last beyond today.")
        self._legal_hold_placed(reason, until, now)

    def _legal_hold_placed(self, reason: str, until: datetime, occurred_at: datetime) -> None:
        self.legal_hold = {"reason": reason, "until": until.isoformat()}

    def lift_legal_hold(self, now: datetime) -> None:
        if self._hold() is None:
            raise RuleBroken("This case is under no legal hold.")
        self._legal_hold_lifted(now)

    def _legal_hold_lifted(self, occurred_at: datetime) -> None:
        self.legal_hold = None

    def _require_not_held(self, now: datetime) -> None:
        until = self.held_until(now)
        if until is not None:
            hold = self._hold() or {}
            why = v.HOLD_REASONS.get(hold.get("reason", ""), "a legal hold")
            raise RuleBroken(
                f"This case is under a legal hold until {until.day} {until:%B %Y} ({why}): its"
                " records must be kept until then. An owner can lift the hold first.")

    def erase(self, reason: str, now: datetime) -> None:
        """Erase what the case holds in common; its people's own words in it go with it."""
        if self.status == "erased":
            raise RuleBroken("This case was erased already.")
        reason = checks.one_of("reason", reason, v.ERASURE_REASONS)
        self._require_not_held(now)
        self._case_erased(reason, now)

    def _case_erased(self, reason: str, occurred_at: datetime) -> None:
        self.title = ERASED
        self.status = "erased"
        self.erasure = {"reason": reason, "at": occurred_at.isoformat()}

    @property
    def erased(self) -> tuple[datetime, str] | None:
        """When the case was erased, and why (a code of ERASURE_REASONS)."""
        erasure = self.__dict__.get("erasure")
        if erasure is None:
            return None
        return datetime.fromisoformat(erasure["at"]), erasure["reason"]

    def erase_person(self, account_id: UUID, reason: str, now: datetime) -> None:
        """Mark that one person's own words in this case were erased (their keys deleted)."""
        reason = checks.one_of("reason", reason, v.ERASURE_REASONS)
        self._require_not_held(now)
        self._person_erased(account_id, reason, now)

    def _person_erased(self, account_id: UUID, reason: str, occurred_at: datetime) -> None:
        pass
