"""Holding an entry back from the portal: which entries, until when, and what is refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from mend.domain import commands as cmd
from mend.domain.case import Case, visibility_of
from mend.domain.casework import Casework
from mend.domain.errors import InvalidValue
from mend.domain.membership import Membership
from mend.domain.store import MendStore, event_id
from tests.unit.test_case_rules import ANA, LEO, NOOR, open_case, rejected

PASSWORD = "correct horse battery staple"


def now() -> datetime:
    return datetime.now(timezone.utc)


@pytest.fixture
def case() -> Case:
    case = open_case()
    case.add_participant(ANA, "partner")
    case.add_participant(LEO, "partner")
    case.assign_practitioner(NOOR)
    case.reach_milestone("A weekend without a fight")
    return case


def latest(case: Case):
    return event_id(case.id, case.version)


def test_a_held_entry_stays_held_until_released(case):
    milestone = latest(case)
    case.hold_back_entry(milestone, entry_visibility="shared", reason="Discuss it first.")
    assert case.is_held_back(milestone, now())
    assert case.is_held_back(milestone, now() + timedelta(days=3650))
    case.release_entry(milestone)
    assert not case.is_held_back(milestone, now())
    assert [type(e).__name__ for e in case.pending_events[-2:]] == [
        "EntryHeldBack", "EntryReleased"]


def test_an_entry_held_until_a_date_shows_by_itself_once_the_date_passes(case):
    milestone, friday = latest(case), now() + timedelta(days=2)
    case.hold_back_entry(milestone, entry_visibility="shared", until=friday)
    assert case.is_held_back(milestone, friday - timedelta(seconds=1))
    assert not case.is_held_back(milestone, friday)


def test_holding_again_moves_the_release_date(case):
    milestone = latest(case)
    case.hold_back_entry(milestone, entry_visibility="shared", until=now() + timedelta(days=1))
    case.hold_back_entry(milestone, entry_visibility="shared")
    assert case.is_held_back(milestone, now() + timedelta(days=30))


@pytest.mark.parametrize("visibility", [None, "staff", "private"])
def test_only_an_entry_the_portal_shows_can_be_held_back(case, visibility):
    with rejected(case, InvalidValue, "entry_id"):
        case.hold_back_entry(uuid4(), entry_visibility=visibility)


@pytest.mark.parametrize("until", [
    datetime.now(timezone.utc) - timedelta(minutes=1),
    datetime.now() + timedelta(days=1),  # no UTC offset
    "2030-01-01T00:00:00+00:00",
])
def test_a_release_time_must_be_a_later_moment_with_an_offset(case, until):
    with rejected(case, InvalidValue, "until"):
        case.hold_back_entry(latest(case), entry_visibility="shared", until=until)


def test_releasing_what_is_not_held_is_refused(case):
    milestone = latest(case)
    with rejected(case, InvalidValue, "entry_id"):
        case.release_entry(milestone)


def test_a_closed_case_can_still_hold_back_and_release(case):
    milestone = latest(case)
    case.close("reconciled")
    case.hold_back_entry(milestone, entry_visibility="shared")
    case.release_entry(milestone)
    assert not case.is_held_back(milestone, now())


def test_the_facts_of_holding_back_are_for_staff_only(case):
    case.hold_back_entry(latest(case), entry_visibility="shared")
    assert visibility_of(case.pending_events[-1]) == "staff"


def test_a_snapshot_taken_before_holding_back_existed_still_loads_and_holds():
    """Aggregates snapshotted by an earlier Mend have no ``held_entries``."""
    store = MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    case = open_case()
    case.reach_milestone("First honest talk")
    store.save(case)
    store.take_snapshot(case.id)
    snapshot = next(iter(store.snapshots.get(case.id, desc=True, limit=1)))
    del snapshot.state["held_entries"]
    loaded = snapshot.mutate(None)
    assert not loaded.is_held_back(latest(loaded), now())
    loaded.hold_back_entry(latest(loaded), entry_visibility="shared")
    assert loaded.is_held_back(event_id(case.id, 3), now())


@pytest.fixture
def casework() -> tuple[Casework, object, object, object]:
    store = MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    membership = Membership(store)
    _, hana = membership.sign_up(
        name="Harbor Counseling", slug="harbor", kind="practice",
        owner_email="hana@harbor.example", owner_password=PASSWORD, owner_name="Hana",
    ).result
    owner = membership.actor_for(hana)
    work = Casework(store)
    case_id = work.open_case(owner, kind="couple", title="Ana and Leo", approach="therapy_guided",
                             breach_category="dishonesty", breach_summary="A hidden debt.").result
    return work, owner, case_id, store


def test_casework_finds_the_entry_by_its_public_id(casework):
    work, owner, case_id, store = casework
    work.record(owner, case_id, cmd.ReachMilestone(title="First calm week"))
    milestone = event_id(case_id, 3)
    work.record(owner, case_id, cmd.HoldBackEntry(entry_id=milestone))
    assert store.get(case_id, Case).is_held_back(milestone, now())


@pytest.mark.parametrize("entry", ["a staff note", "no entry at all", "another case's entry"])
def test_casework_refuses_what_is_not_a_shared_entry_of_the_case(casework, entry):
    work, owner, case_id, store = casework
    work.record(owner, case_id, cmd.NoteSession(text="Leo was guarded."))
    other = work.open_case(owner, kind="couple", title="Mia", approach="self_guided",
                           breach_category="dishonesty", breach_summary="A lie.").result
    entry_id = {"a staff note": event_id(case_id, 3), "no entry at all": uuid4(),
                "another case's entry": event_id(other, 1)}[entry]
    before = store.recorder.max_notification_id()
    with pytest.raises(InvalidValue) as caught:
        work.record(owner, case_id, cmd.HoldBackEntry(entry_id=entry_id))
    assert caught.value.field == "entry_id"
    assert store.recorder.max_notification_id() == before


def test_a_request_cannot_vouch_for_the_entry_itself(casework):
    """``entry_visibility`` is the store's word, never the caller's."""
    work, owner, case_id, store = casework
    work.record(owner, case_id, cmd.NoteSession(text="Leo was guarded."))
    with pytest.raises(InvalidValue):
        work.record(owner, case_id, cmd.HoldBackEntry(entry_id=event_id(case_id, 3),
                                                      entry_visibility="shared"))
