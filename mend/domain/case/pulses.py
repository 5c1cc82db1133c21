"""Anonymous trust pulses on a workplace case: HR opens one, each person it was sent to
answers once, and nobody sees more than the count until it closes with enough answers.

The case keeps who has answered (so nobody answers twice); the scores go to the pulse's
``BallotBox``, a stream of its own whose events carry no account. The two are saved in one
transaction by ``Casework.answer_pulse``, so a score is never kept without its "answered"
mark, nor a mark without its score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

from mend.domain import checks, vocabulary as v
from mend.domain.acting import MendAggregate
from mend.domain.errors import InvalidValue, RuleBroken


class Pulses:
    """Rules of a Case (mixed into it). Each ``_past_tense`` method only changes state: ``Case``
    declares it as an event, and replay runs it alone."""

    def open_pulse(self, question: str, closes_at: datetime,
                   occurred_at: datetime | None = None) -> UUID:
        self._require_open()
        self._require_workplace("Trust pulses")
        question = checks.text("question", question, max_length=v.SHORT_MAX)
        when = self._when(occurred_at)
        if not isinstance(closes_at, datetime) or closes_at.tzinfo is None:
            raise InvalidValue("closes_at", "must be a date and time with a UTC offset")
        closes_at = closes_at.astimezone(timezone.utc)
        now = checks.utcnow()
        if closes_at <= now:
            raise InvalidValue("closes_at", "must be later than now")
        if closes_at > now + timedelta(days=v.PULSE_MAX_OPEN_DAYS):
            raise InvalidValue("closes_at", f"must be within {v.PULSE_MAX_OPEN_DAYS} days")
        audience = sorted(self.participants)
        if len(audience) < v.PULSE_MIN_RESPONSES:
            raise RuleBroken(
                f"A pulse goes to at least {v.PULSE_MIN_RESPONSES} people, so that no answer "
                f"can be told apart: this case has {len(audience)} participants.")
        pulse_id = uuid4()
        self._pulse_opened(pulse_id, question, closes_at, [UUID(a) for a in audience], when)
        return pulse_id

    def answer_pulse(self, pulse_id: UUID, account_id: UUID, now: datetime) -> None:
        """Mark that ``account_id`` answered; the score itself goes to the ballot box."""
        self._require_open()
        pulse = self._pulses().get(str(pulse_id))
        if pulse is None:
            raise InvalidValue("pulse_id", "is not a pulse of this case")
        if now >= pulse["closes_at"]:
            raise RuleBroken("This pulse has closed: answers are no longer taken.")
        if str(account_id) not in pulse["audience"]:
            raise RuleBroken("Only the people this pulse was sent to may answer it.")
        if str(account_id) in pulse["answered"]:
            raise RuleBroken("You have already answered this pulse.")
        self._pulse_answered(pulse_id, account_id, now)

    def close_pulse(self, pulse_id: UUID, occurred_at: datetime | None = None) -> None:
        """Stop taking answers before the closing time: the results show from now on, if
        enough people answered."""
        self._require_open()
        pulse = self._pulses().get(str(pulse_id))
        if pulse is None:
            raise InvalidValue("pulse_id", "is not a pulse of this case")
        if checks.utcnow() >= pulse["closes_at"]:
            raise RuleBroken("This pulse has closed already.")
        self._pulse_closed(pulse_id, self._when(occurred_at))

    def pulse_audience(self, pulse_id: UUID) -> list[str] | None:
        pulse = self._pulses().get(str(pulse_id))
        return list(pulse["audience"]) if pulse else None

    def _pulses(self) -> dict[str, dict]:
        # A case snapshotted before pulses were answered in Mend has no such attribute yet.
        return self.__dict__.setdefault("pulses", {})

    @dataclass(frozen=True)
    class PulseOpened(MendAggregate.Event):
        class_version = 1
        pulse_id: UUID
        question: str
        closes_at: datetime
        audience: list[UUID]
        occurred_at: datetime

    def _pulse_opened(self, pulse_id: UUID, question: str, closes_at: datetime,
                      audience: list[UUID], occurred_at: datetime) -> None:
        self._pulses()[str(pulse_id)] = {
            "closes_at": closes_at, "audience": [str(a) for a in audience], "answered": []}

    @dataclass(frozen=True)
    class PulseAnswered(MendAggregate.Event):
        """That someone answered: never what they answered."""

        class_version = 1
        pulse_id: UUID
        account_id: UUID
        occurred_at: datetime

    def _pulse_answered(self, pulse_id: UUID, account_id: UUID, occurred_at: datetime) -> None:
        self._pulses()[str(pulse_id)]["answered"].append(str(account_id))

    @dataclass(frozen=True)
    class PulseClosed(MendAggregate.Event):
        """A pulse closed by hand, before its closing time."""

        class_version = 1
        pulse_id: UUID
        occurred_at: datetime

    def _pulse_closed(self, pulse_id: UUID, occurred_at: datetime) -> None:
        self._pulses()[str(pulse_id)]["closes_at"] = occurred_at


def results_shown(closes_at: datetime, now: datetime, answers: int) -> bool:
    """A pulse's results show once it has closed with enough answers, and never before: a
    watcher who looked after each answer would otherwise read each person's score."""
    return now >= closes_at and answers >= v.PULSE_MIN_RESPONSES


def bands_of(tally: dict[int, int]) -> tuple[tuple[str, int, int, int], ...]:
    """How many answers fell in each coarse band: (name, lowest, highest, answers)."""
    return tuple((name, low, high, sum(n for score, n in tally.items() if low <= score <= high))
                 for name, low, high in v.PULSE_BANDS)
