"""Everything about one case that its metrics need, folded from the case's records.

``fold`` takes a case's records (its stored timeline rows, or its events as
``event_records.record_of`` turns them into rows) in recording order, and reads their fields
by name. Their ``occurred_at`` may be back-dated, so every
history is kept sorted by ``occurred_at``; equal times keep recording order (a new fact goes
after the facts already there with the same time). Every fact keeps both of its times, so the
metrics can ask "what had happened by T" (``occurred_at``) and "what did the record hold at K"
(``recorded_at``). ``fold`` changes the facts in place and returns them.

Reminders (``check_in_reminder_sent``) are the system's, not the people's: they do not count as
activity. Events the metrics do not need only move ``last_activity_at``.
"""

from __future__ import annotations

import json
from bisect import insort
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from operator import attrgetter
from collections.abc import Callable
from typing import Any, NamedTuple

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)


class Approach(NamedTuple):
    occurred_at: datetime
    recorded_at: datetime
    approach: str


class Stage(NamedTuple):
    occurred_at: datetime
    recorded_at: datetime
    stage: str


class Status(NamedTuple):
    occurred_at: datetime
    recorded_at: datetime
    status: str  # "closed" | "open" (reopened)
    outcome: str | None


class Membership(NamedTuple):
    occurred_at: datetime
    recorded_at: datetime
    account_id: str
    added: bool  # False: removed


class CheckIn(NamedTuple):
    occurred_at: datetime
    recorded_at: datetime
    participant_id: str | None
    trust: int
    emotional_safety: int
    communication_ease: int
    conflicts: int


class Setback(NamedTuple):
    occurred_at: datetime
    recorded_at: datetime
    severity: int


class RedFlag(NamedTuple):
    flag_id: str
    code: str
    raised_at: datetime
    raised_recorded_at: datetime
    resolved_at: datetime | None
    resolved_recorded_at: datetime | None


class Step(NamedTuple):
    step: str
    occurred_at: datetime
    recorded_at: datetime
    reason: str = ""  # why it was taken before an earlier step; empty when in order
    note: str = ""  # what shows it was done (the evidence the practitioner noted)


class StepOwner(NamedTuple):
    occurred_at: datetime
    recorded_at: datetime
    step: str
    account_id: str


class Pulse(NamedTuple):
    occurred_at: datetime
    recorded_at: datetime
    scores: tuple[int, ...]


@dataclass
class CaseFacts:
    case_id: str
    tenant_id: str
    kind: str
    cadence_days: int
    opened_at: datetime
    opened_recorded_at: datetime
    last_activity_at: datetime
    # Histories, each sorted by occurred_at; the first approach and stage are the opening's.
    approaches: list[Approach] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    participants: list[Membership] = field(default_factory=list)
    check_ins: list[CheckIn] = field(default_factory=list)
    setbacks: list[Setback] = field(default_factory=list)
    red_flags: list[RedFlag] = field(default_factory=list)  # sorted by raised_at
    steps: list[Step] = field(default_factory=list)  # sorted by occurred_at
    step_owners: list[StepOwner] = field(default_factory=list)  # every assignment, by occurred_at
    pulses: list[Pulse] = field(default_factory=list)
    rituals: dict[str, int] = field(default_factory=dict)  # ritual -> times practiced

    @property
    def rituals_practiced(self) -> int:
        return sum(self.rituals.values())


#: Each history's row type, for decoding.
_ROWS: dict[str, Any] = {
    "approaches": Approach, "stages": Stage, "statuses": Status, "participants": Membership,
    "check_ins": CheckIn, "setbacks": Setback, "red_flags": RedFlag, "steps": Step,
    "pulses": Pulse, "step_owners": StepOwner,
}
_BY_OCCURRED = attrgetter("occurred_at")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


#: How each type of record changes the facts, registered with ``@folds``.
_FOLDS: dict[str, Callable[[CaseFacts, Fact], None]] = {}


class Fact(NamedTuple):
    """One case event as a record: when it happened, when it was recorded, its fields."""

    at: datetime
    recorded: datetime
    data: dict[str, Any]


def folds(*types: str) -> Callable[[Callable[[CaseFacts, Fact], None]], Any]:
    def register(apply: Callable[[CaseFacts, Fact], None]) -> Callable[[CaseFacts, Fact], None]:
        for type_name in types:
            _FOLDS[type_name] = apply
        return apply
    return register


def fold(facts: CaseFacts | None, case_id: Any, record: Any) -> CaseFacts:
    """Apply one case record (type, occurred_at, recorded_at, data: a stored timeline row,
    or an event through ``event_records.record_of``) to the facts; ``None`` before the
    case's first record."""
    fact = Fact(_utc(record.occurred_at), _utc(record.recorded_at), record.data)
    if facts is None:
        if record.type != "case_opened":
            raise ValueError(f"a case's facts begin with case_opened, not {record.type}")
        d = fact.data
        return CaseFacts(
            case_id=str(case_id), tenant_id=str(d["tenant"]), kind=d["kind"],
            cadence_days=d["cadence_days"], opened_at=fact.at, opened_recorded_at=fact.recorded,
            last_activity_at=fact.at, approaches=[Approach(fact.at, fact.recorded, d["approach"])],
            stages=[Stage(fact.at, fact.recorded, "aftermath")],
        )
    if record.type != "check_in_reminder_sent":
        facts.last_activity_at = max(facts.last_activity_at, fact.at)
    apply = _FOLDS.get(record.type)
    if apply is not None:
        apply(facts, fact)
    return facts


@folds("check_in_recorded")
def _check_in(facts: CaseFacts, f: Fact) -> None:
    d = f.data
    row = CheckIn(f.at, f.recorded, d["participant_id"], d["trust"], d["emotional_safety"],
                  d["communication_ease"], d["conflicts"])
    insort(facts.check_ins, row, key=_BY_OCCURRED)


@folds("setback_recorded")
def _setback(facts: CaseFacts, f: Fact) -> None:
    insort(facts.setbacks, Setback(f.at, f.recorded, f.data["severity"]), key=_BY_OCCURRED)


@folds("ritual_practiced")
def _ritual(facts: CaseFacts, f: Fact) -> None:
    ritual = f.data["ritual"]
    facts.rituals[ritual] = facts.rituals.get(ritual, 0) + 1


@folds("red_flag_raised")
def _red_flag_raised(facts: CaseFacts, f: Fact) -> None:
    row = RedFlag(f.data["flag_id"], f.data["code"], f.at, f.recorded, None, None)
    insort(facts.red_flags, row, key=attrgetter("raised_at"))


@folds("red_flag_resolved")
def _red_flag_resolved(facts: CaseFacts, f: Fact) -> None:
    for i, flag in enumerate(facts.red_flags):
        if flag.flag_id == f.data["flag_id"]:
            facts.red_flags[i] = flag._replace(resolved_at=f.at, resolved_recorded_at=f.recorded)


@folds("participant_added")
def _participant_added(facts: CaseFacts, f: Fact) -> None:
    row = Membership(f.at, f.recorded, f.data["account_id"], True)
    insort(facts.participants, row, key=_BY_OCCURRED)


@folds("participant_removed")
def _participant_removed(facts: CaseFacts, f: Fact) -> None:
    row = Membership(f.at, f.recorded, f.data["account_id"], False)
    insort(facts.participants, row, key=_BY_OCCURRED)


@folds("stage_advanced")
def _stage(facts: CaseFacts, f: Fact) -> None:
    insort(facts.stages, Stage(f.at, f.recorded, f.data["stage"]), key=_BY_OCCURRED)


@folds("approach_changed")
def _approach(facts: CaseFacts, f: Fact) -> None:
    insort(facts.approaches, Approach(f.at, f.recorded, f.data["approach"]), key=_BY_OCCURRED)


@folds("case_closed")
def _closed(facts: CaseFacts, f: Fact) -> None:
    row = Status(f.at, f.recorded, "closed", f.data["outcome"])
    insort(facts.statuses, row, key=_BY_OCCURRED)


@folds("case_reopened")
def _reopened(facts: CaseFacts, f: Fact) -> None:
    insort(facts.statuses, Status(f.at, f.recorded, "open", None), key=_BY_OCCURRED)


@folds("program_step_completed")
def _step(facts: CaseFacts, f: Fact) -> None:
    # Rows stored before reasons were kept have none.
    row = Step(f.data["step"], f.at, f.recorded, f.data.get("reason") or "",
               f.data.get("note") or "")
    insort(facts.steps, row, key=attrgetter("occurred_at"))


@folds("program_step_owner_assigned")
def _step_owner(facts: CaseFacts, f: Fact) -> None:
    row = StepOwner(f.at, f.recorded, f.data["step"], f.data["account_id"])
    insort(facts.step_owners, row, key=_BY_OCCURRED)


@folds("trust_pulse_recorded")
def _pulse(facts: CaseFacts, f: Fact) -> None:
    # A hidden pulse keeps no scores in the record; only how many answered counts then.
    scores = f.data["scores"] or [0] * f.data["responses"]
    insort(facts.pulses, Pulse(f.at, f.recorded, tuple(scores)), key=_BY_OCCURRED)


# ---------------------------------------------------------------------- JSON
# Datetimes are epoch microseconds; every datetime field's name ends in "_at".

def _us(moment: datetime) -> int:
    return (moment - EPOCH) // _US


def _moment(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def _encode(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name.endswith("_at"):
        return _us(value)
    return list(value) if isinstance(value, tuple) else value


def _decode(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name.endswith("_at"):
        return _moment(value)
    return tuple(value) if isinstance(value, list) else value


def to_json(facts: CaseFacts) -> str:
    data: dict[str, Any] = {}
    for f in fields(facts):
        value = getattr(facts, f.name)
        if f.name in _ROWS:
            data[f.name] = [[_encode(n, v) for n, v in zip(row._fields, row)] for row in value]
        else:
            data[f.name] = _encode(f.name, value)
    return json.dumps(data, separators=(",", ":"))


def from_json(text: str) -> CaseFacts:
    data = json.loads(text)
    values: dict[str, Any] = {}
    for name, value in data.items():
        row_type = _ROWS.get(name)
        if row_type is not None:
            values[name] = [
                row_type(*(_decode(n, v) for n, v in zip(row_type._fields, row))) for row in value
            ]
        else:
            values[name] = _decode(name, value)
    return CaseFacts(**values)
