"""Rebuilds a case's facts from its stored timeline rows, for metrics as of any instant.

The timeline already keeps every event of a case with both of its times, so the metrics need
no table of their own: the stored rows are folded in recording order exactly as the events
were. ``known_at`` then filters on the recorded time, ``as_of`` on when things happened.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

from mend.domain.errors import NotFound
from mend.projections.case_facts import CaseFacts, fold
from mend.projections.queries import CaseRecord


@cache
def _event_class(type_name: str) -> type:
    """A stand-in class named like the event ("check_in_recorded" -> CheckInRecorded)."""
    return type("".join(part.capitalize() for part in type_name.split("_")), (), {})


def as_event(case_id: UUID, record: CaseRecord) -> Any:
    stand_in = _event_class(record.type)()
    stand_in.__dict__.update(record.data)
    stand_in.__dict__.update(originator_id=case_id, occurred_at=record.occurred_at,
                             timestamp=record.recorded_at)
    if record.type == "trust_pulse_recorded" and not record.data.get("published"):
        # Hidden pulses keep no scores in the view; only how many answered matters then.
        stand_in.scores = [0] * record.data["responses"]
    return stand_in


def facts_from_records(case_id: UUID, records: list[CaseRecord]) -> CaseFacts:
    facts: CaseFacts | None = None
    for record in records:
        facts = fold(facts, as_event(case_id, record))
    if facts is None:
        raise NotFound(f"No case {case_id}.")
    return facts


def facts_of_case(view: Any, tenant_id: UUID, case_id: UUID,
                  generation_prefix: str | None = None) -> CaseFacts:
    return facts_from_records(case_id,
                              view.case_records(tenant_id, case_id, generation_prefix))
