"""A domain event as the view keeps it: its type in snake_case and its fields as plain JSON.

The timeline stores exactly this, and a case's facts are folded from it, so the metrics read
an event the same way whether it comes from the store or from a stored timeline row.
"""

from __future__ import annotations

import re
from dataclasses import asdict, fields, is_dataclass
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from mend.domain.case import Case, pulse_is_published
from mend.projections.queries import CaseRecord

#: Fields every event has; the timeline's ``data`` carries only what the event itself says.
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic",
             "actor_id", "tenant_id", "occurred_at"}


@cache
def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    return value


@cache
def _data_fields(event_class: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(event_class) if f.name not in _ENVELOPE)


def event_data(domain_event: Any) -> dict[str, Any]:
    if is_dataclass(domain_event):
        # The fields as asdict() would give them, without its deep copy of every value.
        data = {k: _plain(getattr(domain_event, k)) for k in _data_fields(type(domain_event))}
    else:
        data = {k: _plain(v) for k, v in vars(domain_event).items() if k not in _ENVELOPE}
    if isinstance(domain_event, Case.TrustPulseRecorded):
        # Anonymous pulses publish their scores only once enough people answered.
        published = pulse_is_published(len(data["scores"]))
        data = {"responses": len(data["scores"]), "published": published,
                "scores": data["scores"] if published else None}
    return data


def record_of(domain_event: Any, position: int = 0) -> CaseRecord:
    """A Case event as its stored timeline row reads back."""
    return CaseRecord(
        position=position, type=snake_case(type(domain_event).__name__),
        occurred_at=domain_event.occurred_at, recorded_at=domain_event.timestamp,
        actor_id=str(domain_event.actor_id) if domain_event.actor_id else None,
        data=event_data(domain_event),
    )


#: Every type of case event, as timelines name them ("check_in_recorded").
CASE_EVENT_TYPES: tuple[str, ...] = tuple(sorted(
    snake_case(name) for name, member in vars(Case).items()
    if isinstance(member, type) and issubclass(member, Case.Event)
    and member not in (Case.Event, Case.Created)
))
