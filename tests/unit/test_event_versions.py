"""Stored events of an earlier shape still load: each new field comes with an upcast."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from uuid import uuid4

from mend.domain.case import Case
from mend.domain.store import MendStore


def test_a_program_step_stored_before_reasons_were_kept_loads_with_an_empty_reason():
    store = MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    case = Case.open(tenant=uuid4(), kind="workplace", title="Depot trust",
                     approach="therapy_guided", breach_category="misconduct",
                     breach_summary="A manager hid the safety report.",
                     occurred_at=datetime.now(timezone.utc) - timedelta(days=3))
    case.complete_program_step("public_acknowledgment", "Said at the all-hands.")
    event = case.pending_events[-1]
    stored = store.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2 and state.pop("reason") == ""
    version_one = replace(stored, state=json.dumps(state).encode())

    loaded = store.mapper.to_domain_event(version_one)
    assert (loaded.step, loaded.note, loaded.reason) == (
        "public_acknowledgment", "Said at the all-hands.", "")
