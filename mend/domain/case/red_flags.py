"""Red flags: raised by staff, resolved by staff, never shown to clients."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from mend.domain import checks, vocabulary as v
from mend.domain.errors import InvalidValue, RuleBroken


class RedFlags:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

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

    def _red_flag_resolved(self, flag_id: UUID, note: str, occurred_at: datetime) -> None:
        self.red_flags[str(flag_id)]["status"] = "resolved"

    @property
    def open_red_flags(self) -> list[str]:
        return [f["code"] for f in self.red_flags.values() if f["status"] == "open"]
