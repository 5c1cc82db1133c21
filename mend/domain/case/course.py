"""The course of a case: its stage, its approach, closing and reopening."""

from __future__ import annotations

from datetime import datetime

from mend.domain import checks, vocabulary as v
from mend.domain.errors import InvalidValue, RuleBroken


class Course:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

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

    def _stage_advanced(
        self, from_stage: str, stage: str, reason: str, occurred_at: datetime
    ) -> None:
        self.stage = stage

    def change_approach(
        self, approach: str, reason: str = "", occurred_at: datetime | None = None
    ) -> None:
        self._require_open()
        approach = checks.one_of("approach", approach, v.APPROACHES)
        if approach == self.approach:
            raise RuleBroken(f"The case already follows the {approach} approach.")
        reason = checks.text("reason", reason, required=False)
        self._approach_changed(self.approach, approach, reason, self._when(occurred_at))

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

    def _case_closed(self, outcome: str, note: str, occurred_at: datetime) -> None:
        self.status = "closed"
        self.outcome = outcome

    def reopen(self, reason: str = "", occurred_at: datetime | None = None) -> None:
        if self.status != "closed":
            raise RuleBroken("Only a closed case can be reopened.")
        reason = checks.text("reason", reason, required=False)
        self._case_reopened(reason, self._when(occurred_at))

    def _case_reopened(self, reason: str, occurred_at: datetime) -> None:
        self.status = "open"
        self.outcome = None
