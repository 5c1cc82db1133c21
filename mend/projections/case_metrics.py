"""A case's facts from its stored timeline rows, for metrics as of any instant.

The timeline already keeps every event of a case with both of its times, so the metrics need
no table of their own: the stored rows are folded in recording order exactly as the events
were. ``known_at`` then filters on the recorded time, ``as_of`` on when things happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from mend.domain.errors import NotFound
from mend.projections.case_facts import CaseFacts, fold
from mend.projections.casebook import Casebook
from mend.projections.event_records import record_of
from mend.projections.queries import CaseRecord


def facts_from_records(case_id: UUID, records: Iterable[CaseRecord]) -> CaseFacts:
    facts: CaseFacts | None = None
    for record in records:
        facts = fold(facts, case_id, record)
    if facts is None:
        raise NotFound(f"No case {case_id}.")
    return facts


def facts_of_events(events: Iterable[Any]) -> CaseFacts:
    """The facts of one case's events, as its stored rows would give them."""
    events = list(events)
    return facts_from_records(events[0].originator_id, (record_of(e) for e in events))


def facts_of_case(view: Casebook, tenant_id: UUID, case_id: UUID,
                  generation_prefix: str | None = None) -> CaseFacts:
    return facts_from_records(case_id,
                              view.case_records(tenant_id, case_id, generation_prefix))
