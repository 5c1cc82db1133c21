"""The workplace program: its eight steps in order, and anonymous trust pulses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from mend.domain import checks, vocabulary as v
from mend.domain.acting import MendAggregate
from mend.domain.errors import InvalidValue, RuleBroken


class Workplace:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

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

    def _program_step_completed(
        self, step: str, note: str, reason: str, occurred_at: datetime
    ) -> None:
        self.steps_done.append(step)

    def assign_step_owner(
        self, step: str, account_id: UUID, occurred_at: datetime | None = None
    ) -> None:
        """Name who carries a program step: a person already on the case, so that the owner
        is someone the case's people know. Assigning again hands the step to someone else."""
        self._require_open()
        self._require_workplace("Program step owners")
        step = checks.one_of("step", step, v.PROGRAM_STEPS)
        self._require_account_id(account_id)
        if not (self.has_participant(account_id) or self.has_practitioner(account_id)):
            raise InvalidValue("account_id", "is not a participant or practitioner of this case")
        if vars(self).get("step_owners", {}).get(step) == str(account_id):
            raise RuleBroken(f"That person already owns the program step {step}.")
        self._program_step_owner_assigned(step, account_id, self._when(occurred_at))

    def _step_owners(self) -> dict[str, str]:
        # A case snapshotted before steps had owners has no such attribute yet.
        return self.__dict__.setdefault("step_owners", {})

    def _program_step_owner_assigned(
        self, step: str, account_id: UUID, occurred_at: datetime
    ) -> None:
        self._step_owners()[step] = str(account_id)

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

    def _trust_pulse_recorded(self, scores: list[int], occurred_at: datetime) -> None:
        pass
