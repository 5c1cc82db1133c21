"""Everything about one case that its metrics need, folded from the case's events.

``fold`` takes events in recording order. Their ``occurred_at`` may be back-dated, so every
history is kept sorted by ``occurred_at``; equal times keep recording order (a new fact goes
after the facts already there with the same time). Every fact keeps both of its times, so the
metrics can ask "what had happened by T" (``occurred_at``) and "what did the record hold at K"
(``recorded_at``). ``fold`` changes the facts in place and returns them.

Reminders (``CheckInReminderSent``) are the system's, not the people's: they do not count as
activity. Events the metrics do not need only move ``last_activity_at``.
"""

from __future__ import annotations

import json
from bisect import insort
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from operator import itemgetter
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
    pulses: list[Pulse] = field(default_factory=list)
    rituals: dict[str, int] = field(default_factory=dict)  # ritual -> times practiced

    @property
    def rituals_practiced(self) -> int:
        return sum(self.rituals.values())


#: Each history's row type, for decoding.
_ROWS: dict[str, Any] = {
    "approaches": Approach, "stages": Stage, "statuses": Status, "participants": Membership,
    "check_ins": CheckIn, "setbacks": Setback, "red_flags": RedFlag, "steps": Step,
    "pulses": Pulse,
}
_BY_OCCURRED = itemgetter(0)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def fold(facts: CaseFacts | None, domain_event: Any) -> CaseFacts:
    """Apply one Case event to the facts (``None`` before the case's first event)."""
    name = type(domain_event).__name__
    at = _utc(domain_event.occurred_at)
    rec = _utc(domain_event.timestamp)
    e = domain_event
    if facts is None:
        if name != "CaseOpened":
            raise ValueError(f"a case's facts begin with CaseOpened, not {name}")
        return CaseFacts(
            case_id=str(e.originator_id), tenant_id=str(e.tenant), kind=e.kind,
            cadence_days=e.cadence_days, opened_at=at, opened_recorded_at=rec,
            last_activity_at=at, approaches=[Approach(at, rec, e.approach)],
            stages=[Stage(at, rec, "aftermath")],
        )
    if name != "CheckInReminderSent":
        facts.last_activity_at = max(facts.last_activity_at, at)
    if name == "CheckInRecorded":
        pid = None if e.participant_id is None else str(e.participant_id)
        row: Any = CheckIn(at, rec, pid, e.trust, e.emotional_safety, e.communication_ease,
                           e.conflicts)
        insort(facts.check_ins, row, key=_BY_OCCURRED)
    elif name == "SetbackRecorded":
        insort(facts.setbacks, Setback(at, rec, e.severity), key=_BY_OCCURRED)
    elif name == "RitualPracticed":
        facts.rituals[e.ritual] = facts.rituals.get(e.ritual, 0) + 1
    elif name == "RedFlagRaised":
        row = RedFlag(str(e.flag_id), e.code, at, rec, None, None)
        insort(facts.red_flags, row, key=itemgetter(2))
    elif name == "RedFlagResolved":
        for i, flag in enumerate(facts.red_flags):
            if flag.flag_id == str(e.flag_id):
                facts.red_flags[i] = flag._replace(resolved_at=at, resolved_recorded_at=rec)
    elif name in ("ParticipantAdded", "ParticipantRemoved"):
        row = Membership(at, rec, str(e.account_id), name == "ParticipantAdded")
        insort(facts.participants, row, key=_BY_OCCURRED)
    elif name == "StageAdvanced":
        insort(facts.stages, Stage(at, rec, e.stage), key=_BY_OCCURRED)
    elif name == "ApproachChanged":
        insort(facts.approaches, Approach(at, rec, e.approach), key=_BY_OCCURRED)
    elif name == "CaseClosed":
        insort(facts.statuses, Status(at, rec, "closed", e.outcome), key=_BY_OCCURRED)
    elif name == "CaseReopened":
        insort(facts.statuses, Status(at, rec, "open", None), key=_BY_OCCURRED)
    elif name == "ProgramStepCompleted":
        # Steps stored before reasons were kept have none.
        step = Step(e.step, at, rec, getattr(e, "reason", "") or "")
        insort(facts.steps, step, key=itemgetter(1))
    elif name == "TrustPulseRecorded":
        insort(facts.pulses, Pulse(at, rec, tuple(e.scores)), key=_BY_OCCURRED)
    return facts


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
