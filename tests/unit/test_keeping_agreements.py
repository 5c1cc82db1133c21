"""Keeping an agreement, and what a participant now records for themselves: their own
readiness checklist and the rituals they practiced. Real aggregates on the in-memory store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from mend.domain import commands as cmd
from mend.domain.case import Case, visibility_of
from mend.domain.casework import Casework
from mend.domain.errors import InvalidValue, RuleBroken
from mend.domain.membership import Membership
from mend.domain.store import MendStore
from mend.projections.standing import standing_of
from mend.projections.queries import TimelineEntry
from tests.unit.test_case_rules import ANA, LEO, NOOR, open_case, rejected

PASSWORD = "correct horse battery staple"


@pytest.fixture
def case() -> Case:
    case = open_case()
    case.add_participant(ANA, "partner")
    case.add_participant(LEO, "partner")
    case.assign_practitioner(NOOR)
    return case


# ---------------------------------------------------------------------- the rule
def test_an_agreement_of_the_case_can_be_kept_again_and_again(case):
    walks = case.make_agreement("A walk together every Sunday")
    case.keep_agreement(walks, "By the river.")
    case.keep_agreement(walks, occurred_at=datetime.now(timezone.utc) - timedelta(days=1))
    kept = case.pending_events[-2:]
    assert [type(e).__name__ for e in kept] == ["AgreementKept", "AgreementKept"]
    assert [(e.agreement_id, e.note) for e in kept] == [(walks, "By the river."), (walks, "")]
    assert type(kept[0]).class_version == 1
    assert visibility_of(kept[0]) == "shared"


def test_keeping_what_is_no_agreement_of_this_case_names_the_agreement_id(case):
    other = open_case()
    elsewhere = other.make_agreement("Someone else's promise")
    boundary = case.set_boundary("No phones at dinner")
    for not_ours in (uuid4(), elsewhere, boundary, "not-an-id", None):
        with rejected(case, InvalidValue, "agreement_id"):
            case.keep_agreement(not_ours)


def test_a_closed_case_keeps_no_agreement(case):
    walks = case.make_agreement("A walk together every Sunday")
    case.close("reconciled")
    with rejected(case, RuleBroken):
        case.keep_agreement(walks)


def test_a_note_past_the_limit_is_refused_by_name(case):
    walks = case.make_agreement("A walk together every Sunday")
    with rejected(case, InvalidValue, "note"):
        case.keep_agreement(walks, "x" * 10_001)


# ---------------------------------------------------------------------- old snapshots and streams
def in_memory_store() -> MendStore:
    return MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_an_old_event_stream_replays_with_its_agreements_known():
    """Streams recorded before the case tracked agreement ids replay their AgreementMade
    events into the list: nothing to rebuild."""
    store = in_memory_store()
    case = open_case()
    walks = case.make_agreement("A walk together every Sunday")
    store.save(case)
    loaded = store.get(case.id, Case)
    assert loaded.knows_its_agreements and loaded.agreements == [str(walks)]
    loaded.keep_agreement(walks)


def test_a_snapshot_taken_before_agreements_were_tracked_still_loads_and_keeps_one():
    """A snapshot of an earlier Mend has no ``agreements``: the case loads, stays honest
    about not knowing (it never starts a partial list), and Casework replays it from its
    first event to keep one of the agreements made before the snapshot."""
    store = in_memory_store()
    membership = Membership(store)
    _, hana = membership.sign_up(
        name="Harbor Counseling", slug="harbor", kind="practice",
        owner_email="hana@harbor.example", owner_password=PASSWORD, owner_name="Hana",
    ).result
    owner = membership.actor_for(hana)
    work = Casework(store)
    case_id = work.open_case(owner, kind="couple", title="Ana and Leo", approach="self_guided",
                             breach_category="dishonesty", breach_summary="A hidden debt.").result
    walks = work.record(owner, case_id, cmd.MakeAgreement(text="Sunday walks")).result

    # The snapshot as an earlier Mend wrote it, without the new attribute, put in the store
    # as the library's own take_snapshot puts one.
    snapshot = Case.Snapshot.take(store.get(case_id, Case))
    del snapshot.state["agreements"]
    store.snapshots.put([snapshot])
    assert next(iter(store.snapshots.get(case_id, desc=True, limit=1))) == snapshot
    loaded = store.get(case_id, Case)
    assert loaded.version == snapshot.originator_version and "agreements" not in vars(loaded)
    assert not loaded.knows_its_agreements

    # A new agreement does not start a list that would miss the older one.
    later = work.record(owner, case_id, cmd.MakeAgreement(text="Phones away at dinner")).result
    assert not store.get(case_id, Case).knows_its_agreements
    with pytest.raises(RuleBroken):
        store.get(case_id, Case).keep_agreement(walks)

    for agreement in (walks, later):
        saved = work.record(owner, case_id, cmd.KeepAgreement(agreement_id=agreement))
        assert saved.type == "AgreementKept"
    with pytest.raises(InvalidValue) as caught:
        work.record(owner, case_id, cmd.KeepAgreement(agreement_id=uuid4()))
    assert caught.value.field == "agreement_id"
    kept = [e for e in store.events.get(case_id) if type(e).__name__ == "AgreementKept"]
    assert [e.agreement_id for e in kept] == [walks, later]


# ---------------------------------------------------------------------- a participant's own
@pytest.fixture
def harbor():
    store = in_memory_store()
    membership = Membership(store)
    _, hana = membership.sign_up(
        name="Harbor Counseling", slug="harbor", kind="practice",
        owner_email="hana@harbor.example", owner_password=PASSWORD, owner_name="Hana",
    ).result
    owner = membership.actor_for(hana)
    invitation = membership.invite(owner, email="ana@harbor.example", name="Ana",
                                   role="client").result
    ana = membership.actor_for(membership.accept_invitation(invitation.token, PASSWORD).result,
                               "harbor")
    work = Casework(store)
    case_id = work.open_case(owner, kind="couple", title="Ana and Leo", approach="self_guided",
                             breach_category="dishonesty", breach_summary="A hidden debt.").result
    work.record(owner, case_id, cmd.AddParticipant(account_id=ana.account_id))
    return store, work, owner, ana, case_id


def test_a_client_answers_the_readiness_checklist_for_themselves(harbor):
    store, work, owner, ana, case_id = harbor
    work.record(owner, case_id, cmd.AssessReadiness(answers={"breach_accepted": False}))
    work.record(ana, case_id, cmd.AssessReadiness(
        answers={"breach_accepted": True, "motivation_clear": True}, note="Mostly ready."))
    events = [e for e in store.events.get(case_id) if type(e).__name__ == "ReadinessAssessed"]
    assert [e.actor_id for e in events] == [owner.account_id, ana.account_id]


def test_a_client_records_a_ritual_and_keeps_an_agreement(harbor):
    store, work, owner, ana, case_id = harbor
    walks = work.record(owner, case_id, cmd.MakeAgreement(text="Sunday walks")).result
    work.record(ana, case_id, cmd.PracticeRitual(ritual="gratitude_note"))
    work.record(ana, case_id, cmd.KeepAgreement(agreement_id=walks, note="We went."))
    last_two = list(store.events.get(case_id))[-2:]
    assert [type(e).__name__ for e in last_two] == ["RitualPracticed", "AgreementKept"]
    assert {e.actor_id for e in last_two} == {ana.account_id}


def test_a_client_cannot_keep_an_agreement_of_a_case_they_are_not_on(harbor):
    from mend.domain.errors import NotFound

    store, work, owner, ana, case_id = harbor
    other = work.open_case(owner, kind="couple", title="Mia and Sam", approach="self_guided",
                           breach_category="dishonesty", breach_summary="Another debt.").result
    promise = work.record(owner, other, cmd.MakeAgreement(text="Their promise")).result
    with pytest.raises(NotFound):
        work.record(ana, other, cmd.KeepAgreement(agreement_id=promise))


# ---------------------------------------------------------------------- the standing's fold
def entry(n: int, type_: str, data: dict, actor: str | None = None,
          name: str | None = None) -> TimelineEntry:
    moment = datetime(2026, 3, 1, tzinfo=timezone.utc) + timedelta(days=n)
    return TimelineEntry(id=str(n), type=type_, occurred_at=moment, recorded_at=moment,
                         actor_id=actor, actor_name=name, visibility="shared", summary="",
                         data=data, cursor=str(n))


def test_the_standing_keeps_each_persons_latest_checklist_and_counts_keeping_and_rituals():
    noor, ana = str(uuid4()), str(uuid4())
    standing = standing_of([
        entry(0, "agreement_made", {"agreement_id": "a1", "text": "Walks"}),
        entry(1, "readiness_assessed", {"answers": {"breach_accepted": False}}, noor, "Noor"),
        entry(2, "readiness_assessed", {"answers": {"breach_accepted": True}}, ana, "Ana"),
        entry(3, "agreement_kept", {"agreement_id": "a1", "note": ""}, ana, "Ana"),
        entry(4, "ritual_practiced", {"ritual": "letter", "note": ""}, ana, "Ana"),
        entry(5, "readiness_assessed", {"answers": {"breach_accepted": True,
                                                   "motivation_clear": True}}, noor, "Noor"),
        entry(6, "agreement_kept", {"agreement_id": "a1", "note": ""}, noor, "Noor"),
        entry(7, "ritual_practiced", {"ritual": "letter", "note": ""}, noor, "Noor"),
        entry(8, "agreement_kept", {"agreement_id": "gone", "note": ""}, noor, "Noor"),
    ])
    # The latest of anyone's, as before, and each person's latest, the most recent first.
    assert standing.readiness.actor_id == noor and standing.readiness.ready == 2
    assert [(r.actor_name, r.ready) for r in standing.readiness_by_person] == [
        ("Noor", 2), ("Ana", 1)]
    assert standing.own_readiness(ana).assessed_at.day == 3
    (walks,) = standing.agreements
    assert (walks.kept, walks.last_kept_at.day) == (2, 7)
    (letter,) = standing.rituals
    assert (letter.ritual, letter.times, letter.last_at.day) == ("letter", 2, 8)
    assert standing.practice_of("gratitude_note") is None
