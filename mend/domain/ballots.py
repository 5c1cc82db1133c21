"""The scores of one anonymous pulse, kept apart from the people who gave them.

A ballot box is a stream of its own, with an id derived from its pulse. Its events carry no
account (they are recorded with nobody acting) and no time of their own (each is stamped
with the moment the box was made), so what the event store holds for a score is the score,
its pulse and its tenant. Who answered is on the case (``Case.PulseAnswered``).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from mend.domain import checks, vocabulary as v
from mend.domain.acting import MendAggregate


class BallotBox(MendAggregate):
    @staticmethod
    def id_for(pulse_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"/mend/pulse/{pulse_id}/ballots")

    @classmethod
    def create_id(cls, pulse_id: UUID, case_id: UUID) -> UUID:
        return cls.id_for(pulse_id)

    @event("BallotBoxMade")
    def __init__(self, pulse_id: UUID, case_id: UUID) -> None:
        self.pulse_id = pulse_id
        self.case_id = case_id
        self.cast = 0

    def cast_ballot(self, score: int) -> None:
        score = checks.integer_between("score", score, v.RATING_MIN, v.RATING_MAX)
        # The box's own moment, not now: a score's stored row tells nothing of when it came.
        self.trigger_event(self.BallotCast, score=score, timestamp=self.created_on)

    @dataclass(frozen=True)
    class BallotCast(MendAggregate.Event):
        class_version = 1
        score: int

        def apply(self, aggregate: BallotBox) -> None:  # type: ignore[override]
            aggregate.cast += 1
