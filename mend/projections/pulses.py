"""What a pulse shows its reader: the question, the count of answers, and the results only
once it has closed with enough of them (mean and coarse bands, never a score by itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from mend.domain.case.pulses import bands_of, results_shown


@dataclass(frozen=True)
class PulseBand:
    name: str
    low: int
    high: int
    answers: int


@dataclass(frozen=True)
class PulseView:
    pulse_id: UUID
    question: str
    opened_at: datetime
    closes_at: datetime
    audience: int
    answers: int
    closed: bool
    published: bool
    mean: float | None
    bands: tuple[PulseBand, ...]
    #: Whether the reader is one of the people asked, and has answered.
    asked: bool
    answered: bool
    #: The account ids of the people asked, and of those who answered: for staff, who hand
    #: out the one-time links (empty for anyone else).
    audience_ids: tuple[str, ...] = ()
    answered_ids: tuple[str, ...] = ()


def pulse_views(marks: list[dict[str, Any]], reader_id: UUID, now: datetime,
                tally_of: Any) -> list[PulseView]:
    """Each pulse of the marks, as of ``now``; ``tally_of(pulse_id)`` is read only for the
    pulses whose results may be shown."""
    opened: dict[str, dict[str, Any]] = {}
    answered: dict[str, set[str]] = {}
    for mark in marks:
        data = mark["data"]
        if mark["type"] == "pulse_opened":
            opened[data["pulse_id"]] = {**data, "opened_at": mark["occurred_at"],
                                        "closes_at": datetime.fromisoformat(data["closes_at"])}
            answered.setdefault(data["pulse_id"], set())
        elif mark["type"] == "pulse_closed" and data["pulse_id"] in opened:
            pulse = opened[data["pulse_id"]]
            pulse["closes_at"] = min(pulse["closes_at"], mark["occurred_at"])
        else:
            answered.setdefault(data["pulse_id"], set()).add(data["account_id"])
    views = []
    for pulse_id, data in opened.items():
        closes_at = data["closes_at"]
        who = answered[pulse_id]
        published = results_shown(closes_at, now, len(who))
        tally = tally_of(UUID(pulse_id)) if published else {}
        total = sum(tally.values())
        mean = round(sum(s * n for s, n in tally.items()) / total, 1) if total else None
        views.append(PulseView(
            pulse_id=UUID(pulse_id), question=data["question"], opened_at=data["opened_at"],
            closes_at=closes_at, audience=len(data["audience"]), answers=len(who),
            closed=now >= closes_at, published=published and total > 0, mean=mean,
            bands=tuple(PulseBand(*band) for band in bands_of(tally)) if total else (),
            asked=str(reader_id) in data["audience"], answered=str(reader_id) in who,
            audience_ids=tuple(data["audience"]), answered_ids=tuple(sorted(who)),
        ))
    return sorted(views, key=lambda view: view.opened_at, reverse=True)
