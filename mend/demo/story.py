"""How a demo case's history is told: steps on a day-offset timeline, played in time order.

A story function (in ``couples``, ``family``, ``friendship``, ``workplace``) takes the
``Seeding`` context, opens its case, collects the steps in whatever order reads best, and
returns the ``Story``; ``seed_demo`` plays it. Trust levels follow a ``curve`` per
participant and ``check_ins`` turn them into noisy, occasionally skipped check-ins.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from mend.domain import commands as c
from mend.domain.authorization import Actor


@dataclass(frozen=True)
class Ref:
    """A value one step of a story produces and a later step uses (a boundary's id)."""

    name: str


@dataclass(order=True)
class Step:
    when: datetime
    seq: int
    command: type[c.CaseCommand] = field(compare=False)
    actor: Actor = field(compare=False)
    fields: dict[str, Any] = field(compare=False)
    key: str | None = field(compare=False, default=None)


class Story:
    """The history of one case: steps collected in any order, then played in time order.

    ``day`` is days after the opening (fractions are hours: 0.5 is twelve hours later);
    a step that would fall after the moment of seeding is dropped.
    """

    def __init__(self, mend: Any, opener: Actor, now: datetime, days_ago: int, **opening: Any):
        self.mend = mend
        self.now = now
        # Cases open at 09:00 UTC on their first day; the first day is always in the past.
        self.opened = (now - timedelta(days=days_ago)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        self.case_id: UUID = mend.casework.open_case(
            opener, occurred_at=self.opened, **opening
        ).result
        self.steps: list[Step] = []
        self.results: dict[str, Any] = {}
        #: What happens after the steps, outside a case command (answers to a pulse).
        self.afterwards: list[Callable[[Story], None]] = []

    def when(self, day: float) -> datetime:
        return self.opened + timedelta(days=day)

    def at(self, day: float, command: type[c.CaseCommand], actor: Actor, *,
           key: str | None = None, **fields: Any) -> None:
        when = self.when(day)
        if when <= self.now:
            self.steps.append(Step(when, len(self.steps), command, actor, fields, key))

    def play(self) -> None:
        for step in sorted(self.steps):
            fields = {k: self.results[v.name] if isinstance(v, Ref) else v
                      for k, v in step.fields.items()}
            saved = self.mend.casework.record(
                step.actor, self.case_id, step.command(occurred_at=step.when, **fields)
            )
            if step.key:
                self.results[step.key] = saved.result
        for then in self.afterwards:
            then(self)

    # -- conveniences
    def notes(self, actor: Actor, dated_texts: list[tuple[float, str]]) -> None:
        for day, text in dated_texts:
            self.at(day, c.NoteSession, actor, text=text)

    def journal(self, actor: Actor, dated: list[tuple[float, str, str]]) -> None:
        for day, visibility, text in dated:
            self.at(day, c.WriteJournal, actor, text=text, visibility=visibility)


@dataclass(frozen=True)
class Seeding:
    """What every story is told with: the services, the people, the moment and the dice.

    ``rng`` is one stream shared by every story, so a story's draws depend on how many the
    stories told before it made (``STORIES`` fixes that order).
    """

    mend: Any
    actors: dict[str, Actor]
    ids: dict[str, UUID]
    now: datetime
    rng: random.Random

    def add_participants(self, story: Story, opener: Actor, day: float,
                         members: list[tuple[str, str]]) -> None:
        """Add people (by key) to the case, each with their relation, all on the same day."""
        for key, relation in members:
            story.at(day, c.AddParticipant, opener, account_id=self.ids[key], relation=relation)


def curve(*knots: tuple[float, float]) -> Callable[[float], float]:
    """A piecewise-linear level through (day, level) knots, flat beyond the ends."""

    def level(day: float) -> float:
        if day <= knots[0][0]:
            return knots[0][1]
        for (d0, v0), (d1, v1) in zip(knots, knots[1:]):
            if day <= d1:
                return v0 + (v1 - v0) * (day - d0) / (d1 - d0)
        return knots[-1][1]

    return level


def rating(value: float) -> int:
    return max(0, min(10, round(value)))


@dataclass
class Reporter:
    """One participant's check-ins: their level of trust over time and how reliably they report."""

    actor: Actor
    level: Callable[[float], float]
    skip: Callable[[float], float] = lambda day: 0.05
    safety_offset: float = 0.4
    ease_offset: float = -0.3
    tension: float = 1.0  # how many conflicts a low level produces
    notes: tuple[str, ...] = ()


def check_ins(story: Story, rng: random.Random, reporters: list[Reporter], *,
              first_day: float, last_day: float, every: int) -> None:
    """Check-ins on the cadence, each participant on their own evening, with noise; now and
    then with a note of theirs, each note used once."""
    unused = [list(r.notes) for r in reporters]
    day = first_day
    while day <= last_day:
        for i, r in enumerate(reporters):
            if rng.random() < r.skip(day):
                continue
            base = r.level(day)
            conflicts = max(0, round(r.tension * (7.5 - base) / 2.5 + rng.gauss(0, 0.6)))
            notes = unused[i]
            note = notes.pop(rng.randrange(len(notes))) if notes and rng.random() < 0.3 else ""
            story.at(
                day + 0.45 + 0.02 * i + rng.uniform(0, 0.1), c.RecordCheckIn, r.actor,
                trust=rating(base + rng.gauss(0, 0.5)),
                emotional_safety=rating(base + r.safety_offset + rng.gauss(0, 0.6)),
                communication_ease=rating(base + r.ease_offset + rng.gauss(0, 0.7)),
                conflicts=conflicts, note=note,
            )
        day += every


READY_ALL = {item: True for item in (
    "breach_accepted", "emotions_acknowledged", "motivation_clear", "committed_to_honesty",
    "boundaries_set", "checkins_scheduled", "independent_reflection", "external_support",
    "prepared_for_setbacks", "tracking_progress", "monthly_review_of_intentions",
    "knows_exit_is_possible",
)}


def readiness(*not_yet: str) -> dict[str, bool]:
    """Readiness answers where every item holds except those ``not_yet``."""
    return {item: item not in not_yet for item in READY_ALL}
