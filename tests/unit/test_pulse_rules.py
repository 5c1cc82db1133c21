"""Anonymous pulses: who may be asked, answering once, closing, and a score stored with
nothing that ties it to the person who gave it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from mend.domain.ballots import BallotBox
from mend.domain.case import Case
from mend.domain.case.pulses import bands_of, results_shown
from mend.domain.casework import Casework
from mend.domain.errors import InvalidValue, RuleBroken
from mend.domain.store import MendStore
from tests.unit.test_case_rules import open_case, rejected

PEOPLE = [uuid4() for _ in range(6)]


def now() -> datetime:
    return datetime.now(timezone.utc)


def team(kind: str = "workplace", people: int = 6) -> Case:
    case = open_case(kind, title="Depot: the hidden safety report")
    for person in PEOPLE[:people]:
        case.add_participant(person, "crew")
    return case


def test_a_pulse_goes_to_every_participant_and_each_answers_once():
    case = team()
    pulse = case.open_pulse("How much do you trust the shift leads?", now() + timedelta(days=7))
    assert sorted(case.pulse_audience(pulse)) == sorted(str(p) for p in PEOPLE)
    case.answer_pulse(pulse, PEOPLE[0], now())
    with rejected(case, RuleBroken):
        case.answer_pulse(pulse, PEOPLE[0], now())


def test_only_the_people_asked_may_answer_and_only_while_it_is_open():
    case = team()
    closes = now() + timedelta(days=7)
    pulse = case.open_pulse("How much do you trust the shift leads?", closes)
    with rejected(case, RuleBroken):
        case.answer_pulse(pulse, uuid4(), now())  # staff, or someone added later
    with rejected(case, RuleBroken):
        case.answer_pulse(pulse, PEOPLE[1], closes)
    with rejected(case, InvalidValue, "pulse_id"):
        case.answer_pulse(uuid4(), PEOPLE[1], now())


def test_closing_by_hand_ends_the_answers():
    case = team()
    pulse = case.open_pulse("Trust in the process?", now() + timedelta(days=7))
    case.close_pulse(pulse)
    with rejected(case, RuleBroken):
        case.answer_pulse(pulse, PEOPLE[2], now())
    with rejected(case, RuleBroken):
        case.close_pulse(pulse)


def test_a_pulse_needs_five_people_and_a_workplace():
    with rejected(team(people=4), RuleBroken):
        team(people=4).open_pulse("Trust?", now() + timedelta(days=1))
    small = team(people=4)
    with rejected(small, RuleBroken):
        small.open_pulse("Trust?", now() + timedelta(days=1))
    couple = team("couple")
    with rejected(couple, RuleBroken):
        couple.open_pulse("Trust?", now() + timedelta(days=1))


@pytest.mark.parametrize("closes_at", [
    datetime.now(timezone.utc) - timedelta(minutes=1),
    datetime.now(timezone.utc) + timedelta(days=61),
    datetime.now() + timedelta(days=1),
    "2030-01-01T00:00:00+00:00",
])
def test_the_closing_time_is_a_later_moment_within_sixty_days(closes_at):
    case = team()
    with rejected(case, InvalidValue, "closes_at"):
        case.open_pulse("Trust?", closes_at)


def test_results_show_only_once_closed_with_five_answers():
    closes = now()
    assert not results_shown(closes, closes - timedelta(seconds=1), 6)
    assert not results_shown(closes, closes, 4)
    assert results_shown(closes, closes, 5)


def test_the_bands_count_answers_low_middling_and_high():
    assert bands_of({0: 1, 3: 2, 4: 1, 6: 1, 7: 3, 10: 1}) == (
        ("low", 0, 3, 3), ("middling", 4, 6, 2), ("high", 7, 10, 4))


@pytest.fixture
def workplace():
    from mend.domain.membership import Membership

    store = MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    membership = Membership(store)
    tenant, hana = membership.sign_up(
        name="Depot", slug="depot", kind="organization", owner_email="hr@depot.example",
        owner_password="correct horse battery staple", owner_name="Hana").result
    owner = membership.actor_for(hana)
    work = Casework(store)
    case_id = work.open_case(owner, kind="workplace", title="Depot", approach="therapy_guided",
                             breach_category="misconduct", breach_summary="A hidden report."
                             ).result
    crew = []
    for n in range(6):
        invitation = membership.invite(owner, email=f"crew{n}@depot.example",
                                       name=f"Crew {n}", role="client").result
        account = membership.accept_invitation(invitation.token,
                                               "correct horse battery staple").result
        work.record(owner, case_id, cmd.AddParticipant(account_id=account))
        crew.append(Actor(account, tenant, "client"))
    pulse = work.record(owner, case_id, cmd.OpenPulse(
        question="How much do you trust HR?", closes_at=now() + timedelta(days=3))).result
    return store, work, case_id, pulse, crew


def test_a_stored_score_carries_no_account_and_no_time_of_its_own(workplace):
    store, work, case_id, pulse, crew = workplace
    for person, score in zip(crew, (2, 9, 7, 7, 4, 10)):
        work.answer_pulse(person, case_id, pulse, score)
    box_id = BallotBox.id_for(pulse)
    box = store.get(box_id, BallotBox)
    stored = [r for r in store.recorder.select_notifications(start=1, limit=10_000)
              if r.originator_id == box_id and r.topic.endswith("BallotCast")]
    assert len(stored) == 6
    accounts = {str(person.account_id) for person in crew}
    for record in stored:
        state = json.loads(record.state)
        assert state["actor_id"] is None
        assert not accounts & set(str(value) for value in state.values())
        assert not any(account in record.state.decode() for account in accounts)
        assert set(state) == {"timestamp", "actor_id", "tenant_id", "score"}
        # The box's moment, the same for every score: not when each answer came.
        assert datetime.fromisoformat(state["timestamp"]["_data_"]) == box.created_on
    answered = [e for e in store.events.get(case_id) if isinstance(e, Case.PulseAnswered)]
    assert {e.account_id for e in answered} == {p.account_id for p in crew}
    assert all(not hasattr(e, "score") for e in answered)


def test_a_wrong_score_is_named_and_writes_nothing(workplace):
    store, work, case_id, pulse, crew = workplace
    before = store.recorder.max_notification_id()
    for score in (11, -1, "7", None):
        with pytest.raises(InvalidValue) as caught:
            work.answer_pulse(crew[0], case_id, pulse, score)
        assert caught.value.field == "score"
    assert store.recorder.max_notification_id() == before
    assert isinstance(pulse, UUID)
