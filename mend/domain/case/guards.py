"""What every command checks first: the case is open, the time is sane, the person belongs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from mend.domain import checks
from mend.domain.errors import InvalidValue, RuleBroken


class Guards:
    """Checks shared by the rules of every concept, and what they ask of a case."""

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
