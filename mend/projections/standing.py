"""Where a case stands now: its active boundaries with their crossings, its agreements with
how often they were kept, its open red flags (safety ones first), its latest readiness
checklist and each person's latest, and when each ritual was last practiced.

A fold over the case's timeline entries as one viewer may read them, so a client's standing
holds no red flag and nothing staff-only, exactly as their timeline does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from mend.domain import vocabulary as v
from mend.projections.queries import TimelineEntry

#: The timeline types the standing is folded from.
STANDING_TYPES = (
    "boundary_set", "boundary_revised", "boundary_retired", "boundary_crossed",
    "agreement_made", "agreement_kept", "red_flag_raised", "red_flag_resolved",
    "readiness_assessed", "ritual_practiced",
)


@dataclass(frozen=True)
class Boundary:
    id: str
    text: str
    set_at: datetime
    crossings: int = 0
    last_crossed_at: datetime | None = None


@dataclass(frozen=True)
class Agreement:
    id: str
    text: str
    made_at: datetime
    kept: int = 0
    last_kept_at: datetime | None = None


@dataclass(frozen=True)
class OpenFlag:
    id: str
    code: str
    note: str
    raised_at: datetime

    @property
    def is_safety(self) -> bool:
        return self.code in v.SAFETY_RED_FLAGS


@dataclass(frozen=True)
class Readiness:
    answers: dict[str, bool]
    note: str
    assessed_at: datetime
    #: Who answered: a practitioner assessing, or a participant answering for themselves.
    actor_id: str | None = None
    actor_name: str | None = None

    @property
    def ready(self) -> int:
        return sum(1 for answer in self.answers.values() if answer)


@dataclass(frozen=True)
class RitualPractice:
    ritual: str
    times: int
    last_at: datetime


@dataclass(frozen=True)
class CaseStanding:
    boundaries: tuple[Boundary, ...]
    agreements: tuple[Agreement, ...]
    flags: tuple[OpenFlag, ...]
    #: The latest checklist, whoever answered it.
    readiness: Readiness | None
    #: Each person's latest checklist, the most recent first.
    readiness_by_person: tuple[Readiness, ...] = ()
    #: The rituals practiced at least once, in the order they were first practiced.
    rituals: tuple[RitualPractice, ...] = ()

    def own_readiness(self, account_id: object) -> Readiness | None:
        """The latest checklist this person answered themselves."""
        return next((r for r in self.readiness_by_person if r.actor_id == str(account_id)),
                    None)

    def practice_of(self, ritual: str) -> RitualPractice | None:
        return next((r for r in self.rituals if r.ritual == ritual), None)


def standing_of(entries: Iterable[TimelineEntry]) -> CaseStanding:
    """The standing after every entry, in occurred_at order."""
    boundaries: dict[str, Boundary] = {}
    agreements: dict[str, Agreement] = {}
    flags: dict[str, OpenFlag] = {}
    readiness = None
    by_person: dict[str | None, Readiness] = {}
    rituals: dict[str, RitualPractice] = {}
    for e in entries:
        d = e.data
        if e.type == "boundary_set":
            boundaries[d["boundary_id"]] = Boundary(d["boundary_id"], d["text"], e.occurred_at)
        elif e.type == "boundary_revised" and d["boundary_id"] in boundaries:
            boundaries[d["boundary_id"]] = replace(boundaries[d["boundary_id"]], text=d["text"])
        elif e.type == "boundary_retired":
            boundaries.pop(d["boundary_id"], None)
        elif e.type == "boundary_crossed" and d["boundary_id"] in boundaries:
            b = boundaries[d["boundary_id"]]
            boundaries[b.id] = replace(b, crossings=b.crossings + 1,
                                       last_crossed_at=e.occurred_at)
        elif e.type == "agreement_made":
            agreements[d["agreement_id"]] = Agreement(d["agreement_id"], d["text"],
                                                      e.occurred_at)
        elif e.type == "agreement_kept" and d["agreement_id"] in agreements:
            a = agreements[d["agreement_id"]]
            agreements[a.id] = replace(a, kept=a.kept + 1, last_kept_at=e.occurred_at)
        elif e.type == "ritual_practiced":
            done = rituals.get(d["ritual"])
            rituals[d["ritual"]] = RitualPractice(d["ritual"], done.times + 1 if done else 1,
                                                  e.occurred_at)
        elif e.type == "red_flag_raised":
            flags[d["flag_id"]] = OpenFlag(d["flag_id"], d["code"], d.get("note", ""),
                                           e.occurred_at)
        elif e.type == "red_flag_resolved":
            flags.pop(d["flag_id"], None)
        elif e.type == "readiness_assessed":
            readiness = Readiness(dict(d["answers"]), d.get("note", ""), e.occurred_at,
                                  e.actor_id, e.actor_name)
            by_person.pop(e.actor_id, None)  # re-inserted last: the dict keeps recency order
            by_person[e.actor_id] = readiness
    return CaseStanding(
        boundaries=tuple(boundaries.values()),
        agreements=tuple(agreements.values()),
        flags=tuple(sorted(flags.values(), key=lambda f: (not f.is_safety, f.raised_at))),
        readiness=readiness,
        readiness_by_person=tuple(reversed(by_person.values())),
        rituals=tuple(rituals.values()),
    )
