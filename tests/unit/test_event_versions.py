"""Stored events of an earlier shape still load: each new field comes with an upcast."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from uuid import uuid4

from eventsourcing.utils import get_topic

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


#: Every topic a stored case event carries, as written since the first release. Stored events
#: keep their topic for ever, so moving a rule to another module must leave each one resolving.
STORED_TOPICS = {"mend.domain.case:Case"} | {
    f"mend.domain.case:Case.{name}" for name in (
        "CaseOpened", "ParticipantAdded", "ParticipantRemoved", "PractitionerAssigned",
        "PractitionerUnassigned", "BreachDisclosed", "ReadinessAssessed", "ApologyOffered",
        "BoundarySet", "BoundaryRevised", "BoundaryRetired", "BoundaryCrossed", "AgreementMade",
        "AgreementKept",
        "CheckInRecorded", "CheckInReminderSent", "SetbackRecorded", "RitualPracticed",
        "RedFlagRaised", "RedFlagResolved", "StageAdvanced", "MilestoneReached", "SessionNoted",
        "JournalEntryWritten", "ProgramStepCompleted", "TrustPulseRecorded", "ApproachChanged",
        "ProgramStepOwnerAssigned",
        "CaseClosed", "CaseReopened", "EntryHeldBack", "EntryReleased", "PulseOpened",
        "PulseAnswered", "PulseClosed",
        "LegalHoldPlaced", "LegalHoldLifted", "CaseErased", "PersonErased",
        "QuestionnaireAnswered",
    )
}


def test_every_case_event_is_stored_under_a_topic_written_before():
    events = {
        get_topic(member) for member in vars(Case).values()
        if isinstance(member, type) and issubclass(member, Case.Event)
        and member not in (Case.Event, Case.Created)
    }
    assert events | {get_topic(Case)} == STORED_TOPICS


def test_stored_events_under_the_old_topics_load_into_a_case():
    """Record a case on a real store, check the topics in its rows, and load it back."""
    store = MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    case = Case.open(tenant=uuid4(), kind="workplace", title="Depot trust",
                     approach="therapy_guided", breach_category="misconduct",
                     breach_summary="A manager hid the safety report.",
                     occurred_at=datetime.now(timezone.utc) - timedelta(days=3))
    boundary = case.set_boundary("No messages after seven.")
    case.record_boundary_crossed(boundary, "A message at nine.")
    case.complete_program_step("public_acknowledgment", "Said at the all-hands.")
    flag = case.raise_red_flag("ongoing_secrecy")
    case.advance_stage("restoring", reason="The team asked to begin at once.")
    store.save(case)

    rows = store.recorder.select_events(case.id)
    assert {row.topic for row in rows} <= STORED_TOPICS
    loaded = store.repository.get(case.id)
    assert loaded.boundaries == {str(boundary): "active"}
    assert loaded.steps_done == ["public_acknowledgment"]
    assert loaded.open_red_flags == ["ongoing_secrecy"] and flag
    assert loaded.stage == "restoring"
