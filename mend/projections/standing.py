"""Where a case stands now: its active boundaries with their crossings, its agreements, its
open red flags (safety ones first) and its latest readiness checklist.

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
    "agreement_made", "red_flag_raised", "red_flag_resolved", "readiness_assessed",
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

    @property
    def ready(self) -> int:
        return sum(1 for answer in self.answers.values() if answer)


@dataclass(frozen=True)
class CaseStanding:
    boundaries: tuple[Boundary, ...]
    agreements: tuple[Agreement, ...]
    flags: tuple[OpenFlag, ...]
    readiness: Readiness | None


def standing_of(entries: Iterable[TimelineEntry]) -> CaseStanding:
    """The standing after every entry, in occurred_at order."""
    boundaries: dict[str, Boundary] = {}
    agreements: list[Agreement] = []
    flags: dict[str, OpenFlag] = {}
    readiness = None
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
            agreements.append(Agreement(d["agreement_id"], d["text"], e.occurred_at))
        elif e.type == "red_flag_raised":
            flags[d["flag_id"]] = OpenFlag(d["flag_id"], d["code"], d.get("note", ""),
                                           e.occurred_at)
        elif e.type == "red_flag_resolved":
            flags.pop(d["flag_id"], None)
        elif e.type == "readiness_assessed":
            readiness = Readiness(dict(d["answers"]), d.get("note", ""), e.occurred_at)
    return CaseStanding(
        boundaries=tuple(boundaries.values()),
        agreements=tuple(agreements),
        flags=tuple(sorted(flags.values(), key=lambda f: (not f.is_safety, f.raised_at))),
        readiness=readiness,
    )
